using System.Security.Cryptography;
using System.Text;

namespace AvCloud.Functions.Shares;

/// <summary>How a share's passcode is kept: only a salted PBKDF2 (SHA-256) hash, never the passcode.</summary>
public sealed record PasscodeHash(string Salt, string Hash, int Iterations);

/// <summary>
/// Passcodes for external shares: made by AvCloud (cryptographically random, 12 characters of an alphabet without look-alikes,
/// about 59 bits), shown once to the approver, given to the recipient apart from the link, and kept as a salted hash.
/// </summary>
public static class Passcodes
{
    private const string Alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    private const int Length = 12;
    private const int Iterations = 100_000;
    private const int MaxGiven = 64;

    /// <summary>A new passcode, in groups of four (XXXX-XXXX-XXXX) so it can be read out.</summary>
    public static string Generate()
    {
        var code = RandomNumberGenerator.GetString(Alphabet, Length);
        return $"{code[..4]}-{code[4..8]}-{code[8..]}";
    }

    public static PasscodeHash Hash(string passcode)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        return new PasscodeHash(Convert.ToBase64String(salt), Convert.ToBase64String(Derive(passcode, salt, Iterations)), Iterations);
    }

    /// <summary>Whether <paramref name="given"/> is the passcode <paramref name="stored"/> was made from (compared in constant time).</summary>
    public static bool Matches(PasscodeHash? stored, string? given)
    {
        if (stored is null || string.IsNullOrEmpty(given) || given.Length > MaxGiven)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Derive(given, Convert.FromBase64String(stored.Salt), stored.Iterations), Convert.FromBase64String(stored.Hash));
    }

    // Case, spaces and dashes are how a person types a code read to them, not part of it.
    private static byte[] Derive(string passcode, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(new string([.. passcode.ToUpperInvariant().Where(c => c is not ('-' or ' '))])), salt, iterations,
            HashAlgorithmName.SHA256, 32);
}
