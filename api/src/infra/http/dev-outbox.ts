import express from 'express';
import type { OutboxMailer } from '../mail/mailer.outbox';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** Escaped text with its http(s) URLs as links (a reset link is clicked, not copied). */
const withLinks = (s: string) => escapeHtml(s).replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`);

/**
 * `GET /dev/outbox`: the embedded default's sent mails, newest first, as a page (or JSON with
 * `Accept: application/json`), so sign-up codes and reset links work without a mail server.
 * Registered only outside production.
 */
export function devOutboxRoute(outbox: OutboxMailer): express.Router {
  const router = express.Router();
  router.get('/dev/outbox', async (req, res) => {
    const mails = await outbox.list();
    res.setHeader('cache-control', 'no-store');
    if (req.accepts(['html', 'json']) === 'json') return void res.json({ mails });
    const items = mails
      .map(
        (m) =>
          `<article><h2>${escapeHtml(m.subject)}</h2><p><b>To:</b> ${escapeHtml(m.to)} · <time>${escapeHtml(m.sentAt)}</time></p>` +
          `<pre>${withLinks(m.text)}</pre></article>`,
      )
      .join('\n');
    res
      .type('html')
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>randchat dev outbox</title>` +
          `<style>body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}article{border-bottom:1px solid #ddd}pre{white-space:pre-wrap}</style>` +
          `</head><body><h1>Dev outbox</h1><p>Mails the server would have sent (development only): ${mails.length}</p>${items || '<p>No mail yet.</p>'}</body></html>`,
      );
  });
  return router;
}
