/**
 * A URL as logs, `ringside config` and the settings screen show it: the password of `user:password@`
 * and of a `password=` (or `sslpassword=`) parameter, which a PostgreSQL URL may carry instead,
 * replaced by `***`. Everything else is kept as written.
 */
export function maskUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):([^@/]*)@/, '//$1:***@').replace(/([?&][^=&#]*password=)[^&#]*/gi, '$1***');
}
