// Package notify sends notifications — reminders, chasers, escalations —
// by e-mail or webhook, each carrying an idempotency key the receiver can
// de-duplicate by. It knows nothing of plans or stores: a caller maps
// what is due to a [Message], claims its key in a delivery log, calls
// [Notifier.Notify], and marks the key sent on success.
//
// The shortest way in is [Parse], which turns a URL from a command line
// into a notifier, with the secrets from elsewhere:
//
//	n, err := notify.Parse("smtp://isms@mail.example.com:587?from=isms@example.com",
//		notify.Options{Password: os.Getenv(notify.EnvSMTPPassword)})
//	...
//	err = n.Notify(ctx, notify.Message{Key: key, To: []string{"ada@example.com"},
//		Subject: "Please acknowledge the security policy", Text: body})
//
// [NewSMTP] and [NewWebhook] take the full configuration.
//
// # E-mail
//
// [SMTP] sends one e-mail per message over its own connection, with
// STARTTLS required by default (a server that does not offer it gets
// nothing), implicit TLS for smtps, plain text only to a loopback relay,
// and AUTH only over TLS. The key travels as the Message-ID (see
// [MessageID]) and in the X-Ismscomms-Key header.
//
// # Webhooks
//
// [Webhook] POSTs the message as JSON ([Payload]) with an
// Idempotency-Key header and an HMAC-SHA256 signature over the timestamp
// and the body, which a receiver checks with [VerifySignature]. It retries
// network errors, 408, 429 and 5xx with bounded exponential backoff, and
// follows no redirect.
//
// # Errors
//
// A failed send returns an [*Error]. errors.Is(err, [ErrPermanent]) says
// the message must not be retried as it is: it is invalid ([ErrInvalid]),
// or the receiver refused it for good (an SMTP 5xx reply, an HTTP 4xx
// other than 408 and 429, a redirect). Any other failure is temporary: a
// sender leaves its claim to be retried. Delivery is at least once; the
// key makes a duplicate recognizable.
package notify
