/**
 * Text with the passwords it may hold replaced by ***: the password of a URL (scheme://user:password@host) and a
 * conninfo's password=... Used on every value an error line quotes, so a URL given with the wrong scheme or in the
 * wrong place never prints its password.
 */
export function withoutSecrets(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/@:"']*:)[^\s@"']*@/gi, "$1***@")
    .replace(/(\bpassword\s*=\s*)('[^']*'|[^\s'"]+)/gi, "$1***");
}
