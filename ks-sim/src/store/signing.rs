//! The RS256 key id_tokens are signed with (`issuer.signKey`): ks-apiserver generates a 2048-bit
//! RSA key at start-up when none is configured (the chart configures none), so each process has
//! its own. Here one key per test process, generated the first time an id_token or the JWKS is
//! needed (generation takes a moment), shared by every simulator of the process.

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::rand_core::OsRng;
use rsa::signature::{Keypair, SignatureEncoding, Signer, Verifier};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use sha2::Sha256;

struct Key {
    signing: SigningKey<Sha256>,
    verifying: VerifyingKey<Sha256>,
    /// Go's `fmt.Sprint(fnv32a(…))` of the key (there of the PEM data, here of the modulus).
    kid: String,
    /// Base64url modulus and exponent, for the JWKS.
    n: String,
    e: String,
}

fn key() -> Option<&'static Key> {
    static KEY: OnceLock<Option<Key>> = OnceLock::new();
    KEY.get_or_init(|| {
        let private = RsaPrivateKey::new(&mut OsRng, 2048)
            .inspect_err(|error| tracing::error!(%error, "cannot generate the id_token signing key"))
            .ok()?;
        let modulus = private.n().to_bytes_be();
        let kid = modulus
            .iter()
            .fold(0x811c_9dc5_u32, |hash, byte| (hash ^ u32::from(*byte)).wrapping_mul(0x0100_0193))
            .to_string();
        let e = URL_SAFE_NO_PAD.encode(private.e().to_bytes_be());
        let signing = SigningKey::<Sha256>::new(private);
        let verifying = signing.verifying_key();
        Some(Key { signing, verifying, kid, n: URL_SAFE_NO_PAD.encode(modulus), e })
    })
    .as_ref()
}

/// The key id, for the JWT header.
pub(crate) fn kid() -> Option<&'static str> {
    key().map(|k| k.kid.as_str())
}

/// The base64url RS256 signature of `input`.
pub(crate) fn sign(input: &[u8]) -> Option<String> {
    let key = key()?;
    Some(URL_SAFE_NO_PAD.encode(key.signing.try_sign(input).ok()?.to_bytes()))
}

/// Whether `signature` (raw bytes) is ours over `input`.
pub(crate) fn verify(input: &[u8], signature: &[u8]) -> bool {
    let (Some(key), Ok(signature)) = (key(), Signature::try_from(signature)) else {
        return false;
    };
    key.verifying.verify(input, &signature).is_ok()
}

/// `GET /oauth/keys`: the JWKS of the public key, as go-jose writes it.
pub(crate) fn jwks() -> Value {
    match key() {
        Some(k) => json!({"keys": [{"use": "sig", "kty": "RSA", "kid": k.kid, "alg": "RS256", "n": k.n, "e": k.e}]}),
        None => json!({"keys": []}),
    }
}
