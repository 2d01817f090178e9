/**
 * The demo advisors' sign-ins. The database keeps only hashes of access tokens, so when the demo data
 * is seeded its tokens are written once to `demo-sign-in.txt` beside the database (owner-only); `npm
 * start` prints that file, and the demo page's sign-in buttons read it through GET /demo/sign-ins,
 * which answers only while demo data is on and only to a browser on this machine.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Request } from 'express';
import type { Config } from '../config';
import { isLoopbackAddress, isLoopbackHost } from '../http/loopback';
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

export { isLoopbackAddress, isLoopbackHost };

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

/**
 * Whether this server may hand out demo sign-ins at all: demo data is on and the server is meant for
 * this machine only (it listens on a loopback interface and no public origin is configured). A reverse
 * proxy on the same machine connects from loopback and may rewrite Host and add no forwarding header,
 * so the request alone cannot tell; a server set up for others (PUBLIC_ORIGIN, HOST=0.0.0.0) never offers them.
 */
export function offersDemoSignIns(config: Pick<Config, 'demoData' | 'host' | 'publicOrigin'>): boolean {
  const publicHost = config.publicOrigin ? new URL(config.publicOrigin).host : undefined;
  return config.demoData && isLoopbackHost(config.host) && (publicHost === undefined || isLoopbackHost(publicHost));
}
