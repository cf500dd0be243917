#!/usr/bin/env bash
# Creates the AvCloud app registration in Entra ID (Bicep cannot): the API's application ID URI (the tokens'
# audience), its app roles from app-roles.json, and a service principal. People get roles by assignment in the
# enterprise application; each user also needs the "unit" claim (an optional claim or a directory extension that
# carries their enforcement unit). Run once per tenant, signed in with `az login` as an application administrator.
#   infra/app-registration.sh [api://avcloud]
set -euo pipefail
AUDIENCE="${1:-api://avcloud}"
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
echo "AvCloud app registration: $app_id (audience $AUDIENCE)"
echo "Dock stations: create one app registration each, give it the Dock role on AvCloud, and a certificate."
