#!/usr/bin/env node
// An operator's one command needs no notice about the AWS SDK's future Node versions on stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { runCli } = await import('./cli.js');
process.exitCode = await runCli(process.argv.slice(2));
