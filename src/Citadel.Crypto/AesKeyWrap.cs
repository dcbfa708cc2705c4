using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace Citadel.Crypto;

/// <summary>
/// AES key wrap: RFC 3394 (KW) and RFC 5649 (KWP, with padding). The platform has no key wrap, so
/// this uses BouncyCastle. KMS uses KWP inside RSA_AES_KEY_WRAP import wrapping (PKCS#11 CKM_RSA_AES_KEY_WRAP).
/// </summary>
public static class AesKeyWrap
{
    /// <summary>RFC 3394 wrap (input a multiple of 8 bytes, at least 16).</summary>
    public static byte[] Wrap(byte[] kek, byte[] keyData) => Run(new AesWrapEngine(), true, kek, keyData);

    /// <summary>RFC 3394 unwrap; throws <see cref="AuthenticationFailedException"/> on integrity failure.</summary>
    public static byte[] Unwrap(byte[] kek, byte[] wrapped) => Run(new AesWrapEngine(), false, kek, wrapped);

    /// <summary>RFC 5649 wrap with padding.</summary>
    public static byte[] WrapPad(byte[] kek, byte[] keyData) => Run(new AesWrapPadEngine(), true, kek, keyData);

    /// <summary>RFC 5649 unwrap; throws <see cref="AuthenticationFailedException"/> on integrity failure.</summary>
    public static byte[] UnwrapPad(byte[] kek, byte[] wrapped) => Run(new AesWrapPadEngine(), false, kek, wrapped);

    private static byte[] Run(IWrapper engine, bool wrap, byte[] kek, byte[] input)
    {
        if (kek.Length is not (16 or 24 or 32)) throw new ArgumentException("AES key wrap needs a 128, 192 or 256-bit key.", nameof(kek));
        engine.Init(wrap, new KeyParameter(kek));
        try
        {
            if (wrap)
            {
                if (engine is AesWrapEngine && (input.Length < 16 || input.Length % 8 != 0))
                    throw new ArgumentException("RFC 3394 input must be a multiple of 8 bytes, at least 16.", nameof(input));
                if (input.Length == 0) throw new ArgumentException("Nothing to wrap.", nameof(input));
                return engine.Wrap(input, 0, input.Length);
            }
            if (input.Length < 16 || input.Length % 8 != 0) throw new AuthenticationFailedException();
            return engine.Unwrap(input, 0, input.Length);
        }
        catch (InvalidCipherTextException)
        {
            throw new AuthenticationFailedException();
        }
        catch (DataLengthException)
        {
            throw new AuthenticationFailedException();
        }
    }
}
