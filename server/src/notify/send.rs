//! The channels: e-mail over SMTP (lettre, rustls) and a webhook (JSON, or a WeCom, DingTalk or
//! Slack bot's format). Each message is put into words here, in its recipient's language.

use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{Channel, NotifySettings};
use crate::config::WebhookFormat;
use crate::database::outbox::Claimed;

/// How long one message may take to go out.
pub const SEND_TIMEOUT_MS: i64 = 10_000;
const SEND_TIMEOUT: Duration = Duration::from_millis(SEND_TIMEOUT_MS.unsigned_abs());

#[derive(Clone)]
pub struct Senders {
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    webhook: Option<reqwest::Url>,
    http: reqwest::Client,
}

impl Senders {
    pub fn new(settings: &NotifySettings) -> Result<Self, String> {
        let smtp = settings.smtp_url.as_deref().map(smtp_transport).transpose()?;
        let from: Mailbox = settings
            .mail_from
            .parse()
            .map_err(|e| format!("MAIL_FROM {:?} is not an address: {e}", settings.mail_from))?;
        let webhook = settings
            .webhook_url
            .as_deref()
            .map(|raw| reqwest::Url::parse(raw).map_err(|e| format!("WEBHOOK_URL is not a URL: {e}")))
            .transpose()?;
        let http = reqwest::Client::builder()
            .timeout(SEND_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("webhook client: {e}"))?;
        Ok(Self { smtp, from, webhook, http })
    }

    /// Sends one claimed message through its channel; why not, in words for the operators.
    pub async fn send(&self, message: &Claimed, settings: &NotifySettings) -> Result<(), String> {
        let locale = app::language::from_code(&message.lang).unwrap_or(app::language::Locale::en);
        let digest = message.batch.starts_with("digest-");
        let words =
            app::notices::compose(locale, &message.recipient, &message.records, &settings.public_origin, digest);
        match message.channel {
            Channel::Email => self.email(message, &words).await,
            Channel::Webhook => self.webhook(message, &words, settings.webhook_format).await,
        }
    }

    async fn email(&self, message: &Claimed, words: &app::notices::Message) -> Result<(), String> {
        let Some(smtp) = &self.smtp else { return Err("no SMTP_URL".into()) };
        let to: Mailbox = message.email.parse().map_err(|e| format!("{:?} is not an address: {e}", message.email))?;
        // Base64 whatever the language: every mail server and client reads it alike.
        let body = Body::new_with_encoding(words.text.clone(), ContentTransferEncoding::Base64)
            .map_err(|_| "the message could not be encoded".to_owned())?;
        let mail = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(words.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| e.to_string())?;
        smtp.send(mail).await.map(|_| ()).map_err(|e| e.to_string())
    }

    async fn webhook(
        &self,
        message: &Claimed,
        words: &app::notices::Message,
        format: WebhookFormat,
    ) -> Result<(), String> {
        let Some(url) = &self.webhook else { return Err("no WEBHOOK_URL".into()) };
        let content = format!("{}\n\n{}", words.subject, words.text);
        let body = match format {
            WebhookFormat::Json => serde_json::json!({
                "recipient": message.recipient,
                "email": message.email,
                "lang": message.lang,
                "subject": words.subject,
                "text": words.text,
            }),
            WebhookFormat::Wecom | WebhookFormat::Dingtalk => {
                serde_json::json!({"msgtype": "text", "text": {"content": content}})
            }
            WebhookFormat::Slack => serde_json::json!({"text": content}),
        };
        let answer = self.http.post(url.clone()).json(&body).send().await.map_err(|e| e.without_url().to_string())?;
        if answer.status().is_success() {
            Ok(())
        } else {
            Err(format!("the webhook answered {}", answer.status()))
        }
    }
}

/// `smtps://` (TLS), `smtp://…?tls=starttls` (STARTTLS required), plain `smtp://host:port`.
fn smtp_transport(raw: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    // lettre spells STARTTLS-required `tls=required`.
    let url = raw.replace("tls=starttls", "tls=required");
    let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url).map_err(|e| format!("SMTP_URL: {e}"))?;
    Ok(builder.timeout(Some(SEND_TIMEOUT)).build())
}
