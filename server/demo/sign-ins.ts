/**
 * The demo advisors' sign-ins. The database keeps only hashes of access tokens, so when the demo data
 * is seeded its tokens are written once to `demo-sign-in.txt` beside the database (owner-only); `npm
 * start` prints that file, and the demo page's sign-in buttons read it through GET /demo/sign-ins,
 * which answers only while demo data is on and only to a browser on this machine.
 */
import fs from 'node:fs';
import { BlockList, isIP } from 'node:net';
import path from 'node:path';
import type { Request } from 'express';
import type { DemoSignIn } from './seed';

const HEADER = 'Demo advisors and their personal access tokens:';
const LINE = /^(.+?)\s+(advisor|manager|admin)\s+(\S+@\S+)\s+(rgd_[\w-]+)$/;

/** Where the demo sign-ins are kept: beside the database file. */
export function demoSignInFile(databaseFile: string): string {
  return path.join(path.dirname(databaseFile), 'demo-sign-in.txt');
}

export function formatDemoSignIns(signIns: DemoSignIn[]): string {
  const lines = signIns.map((s) => `${s.displayName.padEnd(14)} ${s.role.padEnd(8)} ${s.email.padEnd(32)} ${s.token}`);
  return `${HEADER}\n${lines.join('\n')}\n`;
}

export function parseDemoSignIns(text: string): DemoSignIn[] {
  return text.split('\n').flatMap((line) => {
    const match = LINE.exec(line.trim());
    return match ? [{ displayName: match[1], role: match[2], email: match[3], token: match[4] }] : [];
  });
}

/** Written once, when the demo data is seeded; readable by the server's user only. */
export function writeDemoSignIns(file: string, signIns: DemoSignIn[]): void {
  fs.writeFileSync(file, formatDemoSignIns(signIns), { mode: 0o600 });
}

/** The sign-ins the seed wrote, or none (no file: the database was not seeded here, or the file was removed). */
export function readDemoSignIns(file: string): DemoSignIn[] {
  try {
    return parseDemoSignIns(fs.readFileSync(file, 'utf8'));
  } catch {
    return [];
  }
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** 127.0.0.0/8 and ::1 (also IPv4 loopback written as an IPv4-mapped IPv6 address, ::ffff:127.0.0.1). */
export function isLoopbackAddress(address: string | undefined): boolean {
  const version = address ? isIP(address) : 0;
  return version !== 0 && LOOPBACK.check(address!, version === 4 ? 'ipv4' : 'ipv6');
}

/** A Host header naming this machine (localhost, 127.x.x.x or [::1], any port). */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host
    .toLowerCase()
    .replace(/:\d+$/, '')
    .replace(/^\[(.*)\]$/, '$1');
  return name === 'localhost' || name.endsWith('.localhost') || isLoopbackAddress(name);
}

/**
 * Whether a request comes from a browser on this machine: the connection is from a loopback address,
 * it was not forwarded by a proxy (which would itself connect from loopback), and the Host it asked
 * for is a loopback name, so a page on another site cannot reach it by pointing its own hostname at
 * 127.0.0.1 (DNS rebinding).
 */
export function isLoopbackRequest(req: Pick<Request, 'headers' | 'socket'>): boolean {
  const forwarded = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-real-ip'].some(
    (name) => req.headers[name] !== undefined,
  );
  return !forwarded && isLoopbackAddress(req.socket.remoteAddress) && isLoopbackHost(req.headers.host);
}
