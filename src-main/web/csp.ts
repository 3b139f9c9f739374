// The one Content-Security-Policy of the UI. src-renderer/index.html carries the same text in
// a <meta> tag (a unit test keeps them equal); `yoke serve` also sends it as a header so it
// applies before any byte of the page is parsed.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' ws://127.0.0.1:*",
  "object-src 'none'",
  "base-uri 'none'",
].join('; ');

// frame-ancestors only works as a header: browsers ignore it in <meta> (and log an error), so
// the page carries the policy above and `yoke serve` adds it. A file:// page cannot be framed.
export const HEADER_CONTENT_SECURITY_POLICY = `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`;

/** Headers on every HTTP answer of `yoke serve`, including refusals. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': HEADER_CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // The token travels in the first URL; never hand it to another site in a Referer.
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
