// Enterprise account names keep letters, digits, '@', '.' and '-'; every other
// character becomes '_'. Active Directory logins are sAMAccountName@DOMAIN, domain upper-cased.

export function enterpriseAccountName(login: string): string {
  return login.replace(/[^A-Za-z0-9@.-]/g, '_');
}

export function activeDirectoryLogin(samAccountName: string, domain: string): string {
  return enterpriseAccountName(`${samAccountName}@${domain.toUpperCase()}`);
}

/** `DOMAIN\user` (as administrators write AD accounts) becomes `user@DOMAIN`. */
export function fromDownLevelLogon(value: string): string | null {
  const match = /^([^\\]+)\\([^\\]+)$/.exec(value);
  return match ? activeDirectoryLogin(match[2]!, match[1]!) : null;
}
