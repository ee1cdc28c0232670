// Which hosts the pg_net stand-in dispatcher may send requests to. By default only this machine:
// the local stack's functions live on 127.0.0.1, and a request queued by a migration or cron job
// must never leave the machine during development or tests.

/** True for localhost, any 127.0.0.0/8 address and ::1 (URL.hostname form, brackets allowed). */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (name === "localhost" || name === "::1") return true;
  const octets = name.split(".");
  if (octets.length !== 4 || octets[0] !== "127") return false;
  return octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255);
}
