#!/usr/bin/env node
// packetdrill's command line, for wrappers that call `packetdrill FLAGS script.pkt`.
import { packetdrillMain } from '../dist/runner/packetdrill-cli.js';

packetdrillMain(process.argv.slice(2));
