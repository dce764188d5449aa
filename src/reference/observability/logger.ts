// Structured JSON logs (pino). Only facts the layer hands over are logged: keys and tenants arrive
// hashed, and no request headers are ever passed in, so Authorization and Cookie cannot leak. The
// redact list is a second line of defence for anything a caller logs through the same logger.
import pino, { type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import type { EventListener } from '../layer/types.js';

export type { Logger } from 'pino';

export interface ReferenceLoggerOptions {
  /** Default 'silent': the programmatic API stays quiet; the CLI passes 'info'. */
  level?: LevelWithSilent;
  /** Default stdout. */
  destination?: DestinationStream;
}

const REDACTED_PATHS = [
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'headers["proxy-authorization"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

export function createReferenceLogger(options: ReferenceLoggerOptions = {}): Logger {
  const config = {
    name: 'idemaudit-reference',
    level: options.level ?? 'silent',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** Turns layer events into log lines: one per request at info, problems at warn, store timings at debug. */
export function logLayerEvents(logger: Logger): EventListener {
  return (event) => {
    switch (event.type) {
      case 'request':
        if (event.outcome === 'bypass') {
          if (!logger.isLevelEnabled('debug')) return;
          logger.debug({ method: event.method, path: event.path, status: event.status }, 'request');
          return;
        }
        // The log object is only built when the line is written (the default level is silent).
        if (!logger.isLevelEnabled('info')) return;
        logger.info(
          {
            outcome: event.outcome,
            method: event.method,
            path: event.path,
            status: event.status,
            key: event.keyHash,
            tenant: event.tenant && event.tenant.length > 16 ? event.tenant.slice(0, 12) : event.tenant,
            ms: Math.round(event.durationMs * 100) / 100,
          },
          'idempotency',
        );
        return;
      case 'store':
        if (!event.ok) logger.warn({ op: event.op, error: event.error }, 'idempotency store call failed');
        else if (logger.isLevelEnabled('trace')) logger.trace({ op: event.op, seconds: event.seconds }, 'store');
        return;
      case 'settle-failed':
        logger.warn({ key: event.keyHash, reason: event.reason }, 'result not recorded for replay');
        return;
      case 'lease-lost':
        logger.warn({ key: event.keyHash, reason: event.reason }, 'claim lost while the request was in flight');
        return;
      case 'in-flight':
        return;
    }
  };
}
