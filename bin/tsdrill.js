#!/usr/bin/env node
import { main } from '../dist/runner/cli.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
