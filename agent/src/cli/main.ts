import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { versionInfo, versionLine } from '../version.js';
import { parseRate } from '../util/token-bucket.js';
import { stderrLogger, type Logger } from '../util/logger.js';
import { checkManifestTrust, ExistingFileError, ManifestRefusedError, specFromManifest } from '../engine/index.js';
import { DataDir, resolveDataDir } from './data-dir.js';
import { CliError, EXIT, EXIT_CODES_HELP } from './exit-codes.js';
import { configure } from './commands/config.js';
import { DEFAULT_LISTEN, enroll } from './commands/enroll.js';
import { login } from './commands/login.js';
import { loginSso } from './commands/login-sso.js';
import { publish } from './commands/publish.js';
import { ensureNode, loadManifest, outputDir, trustedOrigins, trustedServer } from './commands/get.js';
import { runTransfer } from './commands/transfer-loop.js';
import { installService, uninstallService } from './commands/service.js';
import { DEFAULT_SERVICE_USER, serviceAccount } from './commands/service-user.js';
import { serve } from './commands/serve.js';
import { status } from './commands/status.js';
import { parseHostPort, Runtime, type Limits } from './runtime.js';
import { parseSeedTime } from './seed-time.js';
import type { ProgressMode } from './progress.js';

interface GlobalOptions {
  dataDir?: string;
  uploadLimit?: string;
  downloadLimit?: string;
  maxPeers?: string;
  json?: boolean;
  verbose?: boolean;
}

/** Collects a repeatable option (`--include a --include b`) without swallowing positional arguments. */
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `<data-dir>/config.json`: optional defaults for the limits (`uploadLimit`, `downloadLimit`, `maxPeers`). */
function readConfigFile(dataDir: DataDir): Partial<GlobalOptions> {
  let text: string;
  try {
    text = readFileSync(dataDir.path('config.json'), 'utf8');
  } catch {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${dataDir.path('config.json')} is not valid JSON: ${(err as Error).message}`, EXIT.usage);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError(`${dataDir.path('config.json')} must hold a JSON object`, EXIT.usage);
  }
  const out: Partial<GlobalOptions> = {};
  for (const key of ['uploadLimit', 'downloadLimit', 'maxPeers'] as const) {
    const value = (parsed as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new CliError(`${dataDir.path('config.json')}: ${key} must be a string or a number`, EXIT.usage);
    }
    out[key] = String(value);
  }
  return out;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function globals(cmd: Command): {
  dataDir: DataDir;
  limits: Limits;
  json: boolean;
  progress: ProgressMode;
  log: Logger;
} {
  const flags = cmd.optsWithGlobals<GlobalOptions>();
  const dataDir = new DataDir(resolveDataDir(flags.dataDir));
  // Precedence: command-line flag, then environment (commander reads SHOAL_*), then the
  // data dir's config.json, so one file can hold a seed server's settings.
  const g: GlobalOptions = { ...readConfigFile(dataDir), ...stripUndefined(flags) };
  const rate = (text: string | undefined, flag: string) => {
    try {
      return parseRate(text);
    } catch (err) {
      throw new CliError(`${flag}: ${(err as Error).message}`, EXIT.usage);
    }
  };
  const maxPeers = g.maxPeers === undefined ? undefined : Number(g.maxPeers);
  if (maxPeers !== undefined && (!Number.isInteger(maxPeers) || maxPeers < 1)) {
    throw new CliError('--max-peers must be a positive integer', EXIT.usage);
  }
  const progress: ProgressMode = !g.json && process.stdout.isTTY ? 'bar' : 'json';
  // With a bar on the terminal only warnings are logged, so the bar stays readable.
  const level = g.verbose ? 'debug' : progress === 'bar' ? 'warn' : 'info';
  return {
    dataDir,
    limits: {
      uploadLimit: rate(g.uploadLimit, '--upload-limit'),
      downloadLimit: rate(g.downloadLimit, '--download-limit'),
      maxPeers,
    },
    json: Boolean(g.json),
    progress,
    log: stderrLogger(level),
  };
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('shoal')
    .description('Shoal agent: fetch and provide content in a swarm of seed servers and downloaders')
    .version(versionLine(), '-V, --version', 'print the version and the commit it was built from')
    .option('--data-dir <dir>', 'where this node keeps its identity and state (env SHOAL_HOME)')
    .addOption(
      new Option('--upload-limit <rate>', 'upload cap in bytes/s, k/M/G suffixes (e.g. 10M)').env('SHOAL_UPLOAD_LIMIT'),
    )
    .addOption(
      new Option('--download-limit <rate>', 'download cap in bytes/s, k/M/G suffixes').env('SHOAL_DOWNLOAD_LIMIT'),
    )
    .addOption(new Option('--max-peers <n>', 'most peers per resource at once').env('SHOAL_MAX_PEERS'))
    .option('--json', 'print JSON lines (progress each second, events) instead of a progress bar or status screen')
    .option('-v, --verbose', 'log debug details')
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError()
    // Set before the subcommands are added, so they inherit it: usage errors become exit code 2.
    .exitOverride();

  program
    .command('enroll')
    .description("create this node's key pair and TLS certificate and enroll it with the server")
    .requiredOption('--server <url>', 'server URL, e.g. https://shoal.example.com')
    .option('--token <token>', 'enrollment token from an admin (without it: enroll as a client with your login)')
    .option('--name <name>', 'node name (default: host name)')
    .addOption(
      new Option('--role <role>', 'seed or client (default: seed with a token, else client)').choices([
        'seed',
        'client',
      ]),
    )
    .option('--site <site>', 'site or location label, used to prefer nearby peers')
    .option('--listen <host:port>', 'where to accept peers', DEFAULT_LISTEN)
    .option(
      '--advertise <host:port>',
      'address other agents dial (repeatable; default: derived from --listen)',
      collect,
    )
    .option('--download-dir <dir>', 'accept downloads sent from the portal ("Send to my machine") into this folder')
    .action(async (opts, cmd: Command) => {
      const g = globals(cmd);
      const config = await enroll(g.dataDir, opts, g.log);
      process.stdout.write(
        `${g.json ? JSON.stringify({ nodeId: config.nodeId, role: config.role }) : `enrolled: node ${config.nodeId} (${config.role})`}\n`,
      );
    });

  program
    .command('config')
    .description("change this node's settings (node.json); prints them")
    .option('--download-dir <dir>', 'accept downloads sent from the portal ("Send to my machine") into this folder')
    .option('--no-download-dir', 'accept no downloads sent from the portal')
    .action(async (opts: { downloadDir?: string | false }, cmd: Command) => {
      const g = globals(cmd);
      const config = await configure(g.dataDir, opts);
      const shown = { nodeId: config.nodeId, name: config.name, downloadDir: config.downloadDir ?? null };
      process.stdout.write(
        `${g.json ? JSON.stringify(shown) : `node ${config.name} (${config.nodeId}); download folder: ${config.downloadDir ?? 'none (accepts no downloads)'}`}\n`,
      );
    });

  program
    .command('login')
    .description('log in as a user (or with an API token) and store the access token')
    .requiredOption('--server <url>', 'server URL')
    .option('--user <username>', 'user name (a local account)')
    .option('--password-stdin', 'read the password from standard input')
    .option(
      '--token-stdin',
      'read an API token (shoal_pat_...) from standard input instead of logging in with a password',
    )
    .option('--sso', "sign in with the organisation's identity provider in a browser (device code)")
    .action(
      async (
        opts: { server: string; user?: string; passwordStdin?: boolean; tokenStdin?: boolean; sso?: boolean },
        cmd: Command,
      ) => {
        const g = globals(cmd);
        if (opts.sso && (opts.user || opts.tokenStdin || opts.passwordStdin))
          throw new CliError('--sso and --user, --password-stdin or --token-stdin exclude each other', EXIT.usage);
        if (!opts.sso && !opts.user && !opts.tokenStdin)
          throw new CliError('give --user <username>, --token-stdin (an API token) or --sso', EXIT.usage);
        const answer = opts.sso
          ? await loginSso(g.dataDir, opts, (line) => process.stderr.write(`${line}\n`))
          : await login(g.dataDir, opts);
        process.stdout.write(`logged in as ${answer.user.username} (${answer.user.role}) until ${answer.expiresAt}\n`);
      },
    );

  program
    .command('publish <path>')
    .description('hash a file or directory, publish its metadata, and provide it')
    .option('--name <name>', 'resource name (default: the file or directory name)')
    .option('--description <text>', 'resource description')
    .option('--tag <tag>', 'a tag (repeatable)', collect)
    .option('--piece-size <bytes>', 'piece size, a power of two (default: chosen from the size)')
    .option(
      '--seed-time <duration>',
      'how long to keep sharing it afterwards: 0, 90s, 10m, 2h, forever (until Ctrl-C; "shoal serve" shares it after that)',
      'forever',
    )
    .action(async (path: string, opts, cmd: Command) => {
      const g = globals(cmd);
      const seedMs = parseSeedTime(opts.seedTime);
      const { spec, root, detail, hashedFiles } = await publish(
        g.dataDir,
        path,
        { ...opts, tags: opts.tag, terminal: g.progress === 'bar' },
        g.log,
      );
      process.stdout.write(
        `${g.json ? JSON.stringify({ event: 'published', resourceId: detail.id, contentId: spec.contentId }) : `published ${detail.name}: resource id ${detail.id}`}\n`,
      );
      if (seedMs === 0) {
        // Nobody provides it until `serve` runs here (or another seed fetches it): say so.
        if (!g.json)
          process.stdout.write('not sharing it from here (--seed-time 0): "shoal serve" on this data dir does\n');
        return;
      }
      const runtime = await Runtime.start(g.dataDir, g.limits, g.log, 'publish');
      const transfer = runtime.engine.provide(spec, root, hashedFiles);
      runtime.startHeartbeats();
      setExit(
        await runTransfer(runtime, transfer, { seedMs, progress: g.progress, where: `in ${resolvePath(path)}` }, g.log),
      );
    });

  program
    .command('get <resource>')
    .description('download a resource (id, manifest file or manifest URL), verify it, then provide it')
    .option('-o, --output <dir>', 'output directory', '.')
    .option('--include <glob>', 'fetch only the files matching this glob (repeatable)', collect)
    .option(
      '--seed-time <duration>',
      'how long to keep sharing it after completion: 0, 90s, 10m, 2h, forever (until Ctrl-C)',
      'forever',
    )
    .option('--overwrite', 'replace files already at the output names that this download did not write')
    .action(async (resource: string, opts, cmd: Command) => {
      const g = globals(cmd);
      const seedMs = parseSeedTime(opts.seedTime);
      const out = outputDir(opts.output);
      const include: string[] = opts.include ?? [];
      // An enrolled node starts its runtime (keys, listener, key set) while the manifest
      // is fetched; one not enrolled yet must learn the server from the manifest first.
      const enrolled = (await g.dataDir.nodeConfig()) !== null;
      const early = enrolled ? Runtime.start(g.dataDir, g.limits, g.log, 'get') : null;
      early?.catch(() => undefined);
      const manifest = await loadManifest(g.dataDir, resource, g.log).catch(async (err: unknown) => {
        await (await early?.catch(() => null))?.close();
        throw err;
      });
      // Enroll (if needed) with the server of the user's login, never one a manifest names.
      const config = await ensureNode(g.dataDir, await trustedServer(g.dataDir), g.log);
      const runtime = await (early ?? Runtime.start(g.dataDir, g.limits, g.log, 'get'));
      // Nothing is dialled or written before the manifest proves it comes from our server.
      await checkManifestTrust(manifest, {
        trustedOrigins: trustedOrigins(config),
        nodeId: config.nodeId,
        verifyTicket: (ticket, expect) => runtime.engine.verifyTicket(ticket, expect),
      }).catch(async (err: unknown) => {
        await runtime.close();
        if (err instanceof ManifestRefusedError) throw new CliError(err.message, EXIT.untrustedManifest);
        throw err;
      });
      // Announce to the tracker we enrolled with; the manifest's (checked above) is only a hint.
      const spec = { ...specFromManifest(manifest), trackerUrl: config.trackerUrl };
      const overwrite = opts.overwrite === true;
      const transfer = await runtime.engine.download(spec, out, include, { overwrite }).catch(async (err: Error) => {
        await runtime.close();
        if (err instanceof ExistingFileError) throw new CliError(err.message, EXIT.usage);
        throw new CliError(`cannot prepare ${out}: ${err.message}`, EXIT.transferFailed);
      });
      runtime.startHeartbeats();
      const code = await runTransfer(
        runtime,
        transfer,
        {
          seedMs,
          progress: g.progress,
          where: `in ${out}`,
          onComplete: () =>
            g.dataDir.saveHolding(
              { resourceId: spec.resourceId, name: spec.name, root: out, complete: true, include },
              spec,
            ),
        },
        g.log,
      );
      setExit(code);
    });

  program
    .command('serve')
    .description('daemon: provide everything this node holds, heartbeat and announce; SIGTERM stops cleanly')
    .option('--metrics <host:port>', 'serve Prometheus metrics at http://host:port/metrics (e.g. 127.0.0.1:9464)')
    .action(async (opts: { metrics?: string }, cmd: Command) => {
      const g = globals(cmd);
      const metricsAt = opts.metrics ? parseHostPort(opts.metrics) : null;
      const runtime = await Runtime.start(g.dataDir, g.limits, g.log, 'serve');
      // prom-client is loaded only when metrics are asked for (loading it is a noticeable share of every start).
      const metrics = metricsAt
        ? await (
            await import('./metrics-endpoint.js')
          ).startMetricsEndpoint(
            { engine: runtime.engine, credentialExpiresAt: () => runtime.config.credentialExpiresAt },
            metricsAt,
            g.log,
          )
        : null;
      const output = g.json ? 'json' : process.stdout.isTTY ? 'screen' : 'lines';
      setExit(await serve(runtime, g.dataDir, output, g.log));
      metrics?.close();
    });

  const service = program.command('service').description('run `shoal serve` as a systemd service');
  service
    .command('install')
    .description('write a systemd unit for `shoal serve` on this data dir, and say how to enable it')
    .option(
      '--user <user>',
      `system user the service runs as (default: "${DEFAULT_SERVICE_USER}" if this machine has it; never root unless named); it must be able to read and write the data dir`,
    )
    .option('--name <name>', 'unit name', 'shoal-agent')
    .option('--unit-dir <dir>', 'where to write the unit', '/etc/systemd/system')
    .action(async (opts: { user?: string; name: string; unitDir: string }, cmd: Command) => {
      const g = globals(cmd);
      await g.dataDir.requireNode();
      const account = serviceAccount(opts.user, g.dataDir.root);
      const limits = cmd.optsWithGlobals() as { uploadLimit?: string; downloadLimit?: string; maxPeers?: string };
      const serveArgs = [
        ...(limits.uploadLimit ? ['--upload-limit', limits.uploadLimit] : []),
        ...(limits.downloadLimit ? ['--download-limit', limits.downloadLimit] : []),
        ...(limits.maxPeers ? ['--max-peers', limits.maxPeers] : []),
      ];
      const file = await installService({ ...opts, user: account.name, dataDir: g.dataDir.root, serveArgs }, g.log);
      process.stdout.write(
        `installed ${file} (runs as user ${account.name})\nenable and start it with:\n  sudo systemctl daemon-reload && sudo systemctl enable --now ${opts.name}\n` +
          `follow its log with:\n  journalctl -u ${opts.name} -f\n`,
      );
      setExit(EXIT.ok);
    });
  service
    .command('uninstall')
    .description('remove the systemd unit written by `shoal service install`')
    .option('--name <name>', 'unit name', 'shoal-agent')
    .option('--unit-dir <dir>', 'where the unit is', '/etc/systemd/system')
    .action(async (opts: { name: string; unitDir: string }, cmd: Command) => {
      const g = globals(cmd);
      process.stdout.write(`first stop it with:\n  sudo systemctl disable --now ${opts.name}\n`);
      process.stdout.write(`removed ${await uninstallService(opts, g.log)}\n`);
      setExit(EXIT.ok);
    });

  program
    .command('version')
    .description('print the version and commit; with --json as {"version","commit","api"} for scripts')
    .action((_opts, cmd: Command) => {
      const json = Boolean(cmd.optsWithGlobals<GlobalOptions>().json);
      process.stdout.write(`${json ? JSON.stringify(versionInfo()) : versionLine()}\n`);
    });

  program
    .command('status')
    .description('what this node holds, is downloading, and its peers and rates')
    .action(async (_opts, cmd: Command) => {
      const g = globals(cmd);
      setExit(await status(g.dataDir, g.json));
    });

  return program;
}

/**
 * A reader that went away (`shoal --help | head`) is not a crash: stop quietly, as a
 * process killed by SIGPIPE would, with its exit code 141. Other stdout errors still throw.
 */
function exitQuietlyOnClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(EXIT.outputClosed);
  });
}

export async function main(argv: string[]): Promise<number> {
  exitQuietlyOnClosedStdout();
  let code: number = EXIT.ok;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof CliError) {
      process.stderr.write(`shoal: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`shoal: ${(err as Error).stack ?? String(err)}\n`);
    return EXIT.failure;
  }
}
