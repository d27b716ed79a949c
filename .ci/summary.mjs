// Prints vitest's JSON report as one plain closing line: "N passed, N failed, N skipped",
// with the Node version it ran on (run this with the same node as the tests), so CI's log
// tells the Node 20, 22 and 24 legs apart.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(
  `tests (node ${process.versions.node}): ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`,
);
if (report.numTotalTests === 0 || report.numFailedTests > 0) process.exit(1);
