//! The keys derived from `SESSION_SECRET`: one signs the session cookie (so a session id read
//! from the store forges nothing), one encrypts the KubeSphere tokens at rest (so whoever can
//! read the store cannot call KubeSphere). `SESSION_SECRET_PREVIOUS` is accepted for reading
//! while a new secret is rolled out: cookies signed with it are re-signed, tokens sealed with it
//! still open.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use sha2::Sha256;
use tower_sessions::cookie::{Cookie, CookieJar, Key};

use crate::ServerContext;

/// The shortest secret accepted: 32 bytes of entropy written as text.
pub const MIN_SECRET_LEN: usize = 32;
const SALT: &[u8] = b"ks-console v1";

/// Keys of one secret.
#[derive(Clone)]
struct Derived {
    cookie: Key,
    tokens: XChaCha20Poly1305,
}

impl Derived {
    fn from_secret(secret: &[u8]) -> Self {
        let hkdf = Hkdf::<Sha256>::new(Some(SALT), secret);
        let mut cookie = [0u8; 64];
        let mut tokens = [0u8; 32];
        // Both lengths are far below HKDF-SHA256's limit of 8160 bytes: expand cannot fail.
        let _ = hkdf.expand(b"session cookie signing", &mut cookie);
        let _ = hkdf.expand(b"token encryption", &mut tokens);
        Self { cookie: Key::from(&cookie), tokens: XChaCha20Poly1305::new(&tokens.into()) }
    }
}

/// The current keys, and the previous ones during a rotation.
#[derive(Clone)]
pub struct Secrets {
    current: Derived,
    previous: Option<Derived>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(***)")
    }
}

impl Secrets {
    /// Keys from the configured secrets; each must be at least [`MIN_SECRET_LEN`] bytes long.
    pub fn new(secret: &str, previous: Option<&str>) -> Result<Self, String> {
        let check = |name: &str, s: &str| {
            if s.len() < MIN_SECRET_LEN {
                Err(format!(
                    "{name} must be at least {MIN_SECRET_LEN} characters long (e.g. `openssl rand -base64 48`)"
                ))
            } else {
                Ok(())
            }
        };
        check("SESSION_SECRET", secret)?;
        if let Some(p) = previous {
            check("SESSION_SECRET_PREVIOUS", p)?;
        }
        Ok(Self {
            current: Derived::from_secret(secret.as_bytes()),
            previous: previous.map(|p| Derived::from_secret(p.as_bytes())),
        })
    }

    /// Keys nobody else knows, for a single process without a configured secret (its sessions
    /// live and die with it anyway).
    pub fn ephemeral() -> Self {
        Self { current: Derived::from_secret(Key::generate().master()), previous: None }
    }

    pub fn cookie_key(&self) -> Key {
        self.current.cookie.clone()
    }

    /// Encrypts `plaintext`, bound to `context` (the store key it is kept under): a sealed
    /// value copied to another key does not open.
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let payload = Payload { msg: plaintext, aad: context.as_bytes() };
        // Encryption fails only for messages beyond what the cipher can count: not tokens.
        let sealed = self.current.tokens.encrypt(&nonce, payload).unwrap_or_default();
        [nonce.as_slice(), &sealed].concat()
    }

    /// The plaintext of a value [`Secrets::seal`] made with the current or the previous secret.
    pub fn open(&self, context: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < 24 {
            return None;
        }
        let (nonce, ciphertext) = sealed.split_at(24);
        let nonce = XNonce::from_slice(nonce);
        [Some(&self.current), self.previous.as_ref()]
            .into_iter()
            .flatten()
            .find_map(|keys| keys.tokens.decrypt(nonce, Payload { msg: ciphertext, aad: context.as_bytes() }).ok())
    }

    /// A cookie value signed with the previous secret, re-signed with the current one; `None`
    /// when it is not one (the session layer then judges it as usual).
    fn resign(&self, name: &str, value: &str) -> Option<String> {
        let previous = self.previous.as_ref()?;
        let mut jar = CookieJar::new();
        jar.add_original(Cookie::new(name.to_owned(), value.to_owned()));
        if jar.signed(&self.current.cookie).get(name).is_some() {
            return None;
        }
        let plain = jar.signed(&previous.cookie).get(name)?;
        let mut fresh = CookieJar::new();
        fresh.signed_mut(&self.current.cookie).add(Cookie::new(name.to_owned(), plain.value().to_owned()));
        fresh.get(name).map(|c| c.value().to_owned())
    }
}

impl app::upstream::Sealer for Secrets {
    fn seal(&self, context: &str, plaintext: &[u8]) -> Vec<u8> {
        Secrets::seal(self, context, plaintext)
    }

    fn open(&self, context: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        Secrets::open(self, context, sealed)
    }
}

/// During a rotation, turns a session cookie signed with the previous secret into one signed
/// with the current secret before the session layer reads it, so nobody is signed out.
pub async fn accept_previous_secret(State(ctx): State<ServerContext>, mut req: Request, next: Next) -> Response {
    if ctx.secrets.previous.is_some() {
        let name = ctx.cookie_name.as_ref();
        let rewritten: Vec<HeaderValue> = req
            .headers()
            .get_all(header::COOKIE)
            .iter()
            .map(|line| {
                let Ok(text) = line.to_str() else { return line.clone() };
                let parts: Vec<String> = text
                    .split(';')
                    .map(|pair| {
                        let pair = pair.trim();
                        match pair.split_once('=') {
                            Some((n, v)) if n == name => match ctx.secrets.resign(name, v) {
                                Some(resigned) => format!("{n}={resigned}"),
                                None => pair.to_owned(),
                            },
                            _ => pair.to_owned(),
                        }
                    })
                    .collect();
                HeaderValue::from_str(&parts.join("; ")).unwrap_or_else(|_| line.clone())
            })
            .collect();
        let headers = req.headers_mut();
        headers.remove(header::COOKIE);
        for v in rewritten {
            headers.append(header::COOKIE, v);
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const OLD: &str = "an-old-secret-of-at-least-32-characters!!";
    const NEW: &str = "a-new-secret-of-at-least-32-characters!!!";

    #[test]
    fn short_secrets_are_refused() {
        assert!(Secrets::new("short", None).unwrap_err().contains("at least 32"));
        assert!(Secrets::new(NEW, Some("short")).unwrap_err().contains("SESSION_SECRET_PREVIOUS"));
    }

    #[test]
    fn sealed_tokens_open_only_with_the_secret_and_under_their_own_key() {
        let old = Secrets::new(OLD, None).unwrap();
        let sealed = old.seal("vault:abc", b"token");
        assert_ne!(&sealed[24..], b"token");
        assert_eq!(old.open("vault:abc", &sealed).unwrap(), b"token");
        assert!(old.open("vault:xyz", &sealed).is_none(), "bound to its key");
        assert!(Secrets::new(NEW, None).unwrap().open("vault:abc", &sealed).is_none());
        let rotating = Secrets::new(NEW, Some(OLD)).unwrap();
        assert_eq!(rotating.open("vault:abc", &sealed).unwrap(), b"token", "the previous secret still opens");
        assert_ne!(old.seal("k", b"t"), old.seal("k", b"t"), "a fresh nonce each time");
    }

    #[test]
    fn a_cookie_signed_with_the_previous_secret_is_resigned_with_the_current_one() {
        let sign = |key: &Key, value: &str| {
            let mut jar = CookieJar::new();
            jar.signed_mut(key).add(Cookie::new("ks", value.to_owned()));
            jar.get("ks").unwrap().value().to_owned()
        };
        let old = Secrets::new(OLD, None).unwrap();
        let rotating = Secrets::new(NEW, Some(OLD)).unwrap();
        let old_cookie = sign(&old.cookie_key(), "session-id");
        let resigned = rotating.resign("ks", &old_cookie).unwrap();
        assert_eq!(resigned, sign(&rotating.cookie_key(), "session-id"));
        assert!(rotating.resign("ks", &resigned).is_none(), "current cookies are left alone");
        assert!(rotating.resign("ks", "forged-value").is_none());
        assert!(Secrets::new(NEW, None).unwrap().resign("ks", &old_cookie).is_none(), "no rotation, no re-signing");
    }
}
