/**
 * `@oncely/telemetry`: see oncely run. Two integrations of core's `OncelyTelemetry`
 * contract, each behind its own entry so that each needs only its own peer:
 *
 * - `@oncely/telemetry/opentelemetry`: `openTelemetry()`, spans and metrics on
 *   `@opentelemetry/api` (bring your own SDK);
 * - `@oncely/telemetry/powertools`: `powertools({ metrics, logger })`, per-outcome EMF
 *   metrics and structured logs for Lambda.
 *
 * This entry needs nothing: `combineTelemetry` (use both at once) and the outcome names
 * both integrations report.
 */
export { combineTelemetry } from './combine.js';
export { errorType, type OutcomeName, outcomeName } from './outcome.js';
