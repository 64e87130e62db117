/**
 * Text with the passwords it may hold replaced by ***: the password of a URL (scheme://user:password@host, also
 * with one slash or an unescaped @ in the password), a conninfo's password=..., and the value of PGPASSWORD or
 * MYSQL_PWD wherever it appears. Used on every value an error line quotes, so a URL given with the wrong scheme or
 * in the wrong place never prints its password.
 */
export function withoutSecrets(text: string): string {
  return withoutUrlPasswords(text).replace(
    /(\b(?:pg|mysql_)?(?:password|pwd)\s*=\s*)('(?:\\.|[^'\\])*'?|[^\s'"]+)/gi,
    "$1***",
  );
}

/**
 * Only the passwords of URLs and the environment's password values: what can be masked inside SQL text without
 * changing its shape (a conninfo's password=... there is a literal, which util/secret-sql-text.ts hides whole).
 */
export function withoutUrlPasswords(text: string): string {
  const masked = text.replace(
    /(\b[a-z][a-z0-9+.-]*:\/+)([^\s"'<>]*)/gi,
    (_, scheme: string, rest: string) => scheme + maskUserinfo(rest),
  );
  return withoutEnvironmentPasswords(masked);
}

/**
 * A URL's text after scheme:// with the password masked. The userinfo runs to the LAST @ (a password with an
 * unescaped @ in it is still all hidden), unless that @ is past a ? or # (then it is in the query: the authority
 * ends at the first /, ? or #).
 */
function maskUserinfo(rest: string): string {
  let at = rest.lastIndexOf("@");
  if (at < 0) return rest;
  if (/[?#]/.test(rest.slice(0, at))) {
    const authority = rest.slice(0, rest.search(/[/?#]|$/));
    at = authority.lastIndexOf("@");
    if (at < 0) return rest;
  }
  const colon = rest.indexOf(":");
  if (colon < 0 || colon > at) return rest;
  return `${rest.slice(0, colon + 1)}***${rest.slice(at)}`;
}

/** A password given in the environment is never printed, wherever a message quotes it (3 characters or more). */
function withoutEnvironmentPasswords(text: string): string {
  let out = text;
  for (const value of [process.env.PGPASSWORD, process.env.MYSQL_PWD])
    if (value && value.length >= 3) out = out.split(value).join("***");
  return out;
}
