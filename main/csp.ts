// The renderer's Content-Security-Policy. renderer/index.html carries the same policy in a <meta> tag
// (a unit test keeps the two equal); main also sends it as a response header for app:// pages.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
].join('; ')
