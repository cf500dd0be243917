#!/usr/bin/env bash
# Creates the AvCloud app registration in Entra ID (Bicep cannot): the API's application ID URI (the tokens'
# audience), its app roles from app-roles.json, and a service principal. People get roles by assignment in the
# enterprise application; each user also needs the "unit" claim (an optional claim or a directory extension that
# carries their enforcement unit). The same registration is the web console's (a single-page app): it gains the
# console's redirect URIs on the function app's address and the delegated scope user_impersonation that the console
# asks for, so people sign in with authorization code + PKCE and get a token for the API with their roles.
# Run once per tenant, signed in with `az login` as an application administrator.
#   infra/app-registration.sh [api://avcloud] [https://FUNCTION-APP.azurewebsites.net]
set -euo pipefail
AUDIENCE="${1:-api://avcloud}"
CONSOLE="${2:-}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

roles="$(python3 - "$HERE/app-roles.json" <<'PY'
import json, sys, uuid
roles = json.load(open(sys.argv[1]))
print(json.dumps([{
    "allowedMemberTypes": ["Application"] if r["value"] == "Dock" else ["User"],
    "description": r["description"], "displayName": r["displayName"], "isEnabled": True,
    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, "avcloud-role-" + r["value"])), "value": r["value"],
} for r in roles]))
PY
)"

app_id="$(az ad app create --display-name AvCloud --sign-in-audience AzureADMyOrg --identifier-uris "$AUDIENCE" \
  --app-roles "$roles" --query appId -o tsv)"
az ad sp create --id "$app_id" >/dev/null

# The scope the console asks for (ConsoleOptions.Scope: AUDIENCE/user_impersonation); its id is derived like the roles'.
scope_id="$(python3 -c 'import uuid; print(uuid.uuid5(uuid.NAMESPACE_URL, "avcloud-scope-user_impersonation"))')"
az ad app update --id "$app_id" --set "api={\"requestedAccessTokenVersion\":2,\"oauth2PermissionScopes\":[{\"id\":\"$scope_id\",\"value\":\"user_impersonation\",\"type\":\"User\",\"isEnabled\":true,\"adminConsentDisplayName\":\"Use AvCloud as the signed-in person\",\"adminConsentDescription\":\"The AvCloud console calls the AvCloud API with the person's own roles.\",\"userConsentDisplayName\":\"Use AvCloud as you\",\"userConsentDescription\":\"The AvCloud console calls the AvCloud API with your roles.\"}]}"

if [[ -n "$CONSOLE" ]]; then
  # The console is served at the function app's root; it completes sign-in at authentication/login-callback and comes
  # back to authentication/logout-callback. SPA redirect URIs allow the code flow with PKCE from the browser only.
  base="${CONSOLE%/}"
  az ad app update --id "$app_id" --set "spa={\"redirectUris\":[\"$base/authentication/login-callback\",\"$base/authentication/logout-callback\"]}"
  echo "Console sign-in: set AvCloud__Console__Authority=https://login.microsoftonline.com/<tenant>/v2.0,"
  echo "  AvCloud__Console__ClientId=$app_id and AvCloud__Console__Scope=$AUDIENCE/user_impersonation in the function app."
fi
echo "AvCloud app registration: $app_id (audience $AUDIENCE)"
echo "Dock stations: create one app registration each, give it the Dock role on AvCloud, and a certificate."
