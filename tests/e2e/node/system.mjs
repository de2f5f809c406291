// The system under test for the Node end-to-end tests, on free loopback ports in a
// temporary folder: a redis-server, nessus-sim scanners, a scanner-worker and scanner-mcp
// over HTTP with a bearer token; every process is stopped and the folder removed at exit.
// Also the tests' small runner (check, summary). Used by mcp_e2e.mjs and dashboard_e2e.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class TestRun {
  constructor() {
    this.passed = 0;
    this.failed = 0;
  }

  async check(name, body) {
    try {
      await body();
      this.passed += 1;
      console.log(`ok   ${name}`);
    } catch (error) {
      this.failed += 1;
      console.log(`FAIL ${name}: ${error.stack ?? error}`);
    }
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export class System {
  // build: the CMake build folder whose programs run; name: a prefix for the temporary folder.
  constructor(build, name) {
    this.build = build;
    this.dir = mkdtempSync(join(tmpdir(), `${name}-`));
    this.children = [];
    this.token = `e2e-token-${Math.random().toString(16).slice(2)}`;
    process.on('exit', () => {
      for (const child of this.children) {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      rmSync(this.dir, { recursive: true, force: true });
    });
  }

  // A program of the build: the products under apps/, the development tools under devtools/.
  program(name) {
    const product = join(this.build, 'apps', name, name);
    return existsSync(product) ? product : join(this.build, 'devtools', name, name);
  }

  // Starts a process whose stdout is watched for a line holding `needle`; resolves that line.
  start(name, command, args, env, needle) {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.push(child);
    const log = join(this.dir, `${name}.log`);
    child.stderr.on('data', (data) => writeFileSync(log, data, { flag: 'a' }));
    return new Promise((resolve, reject) => {
      let buffer = '';
      const timer = setTimeout(() => reject(new Error(`${name} did not print "${needle}"`)), 20000);
      child.stdout.on('data', (data) => {
        buffer += data.toString();
        const line = buffer.split('\n').find((text) => text.includes(needle));
        if (line) {
          clearTimeout(timer);
          resolve(line.trim());
        }
      });
      child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before "${needle}"`)));
    });
  }

  // Redis, one nessus-sim per entry of `scanners` ({instance_id, args}), scanners.yaml in
  // pool "nessus", the token and credentials files, then the worker and scanner-mcp (HTTP).
  async up(scanners = [{ instance_id: 'scanner1', args: [] }], workerEnv = {}) {
    const redisPort = await freePort();
    await this.start('redis', 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '',
      '--appendonly', 'no', '--dir', this.dir], {}, 'Ready to accept connections');
    let yaml = 'nessus:\n';
    for (const scanner of scanners) {
      const line = await this.start(`nessus-sim-${scanner.instance_id}`, this.program('nessus-sim'),
        ['--port', '0', '--scan-seconds', '2', '--pending-seconds', '1', '--export-seconds', '1', ...scanner.args], {},
        'listening on');
      yaml += `  - instance_id: ${scanner.instance_id}\n    name: simulated ${scanner.instance_id}\n` +
        `    url: ${line.replace(/^.*listening on /, '')}\n    username: nessus\n    password: nessus\n` +
        '    max_concurrent_scans: 4\n';
    }
    mkdirSync(join(this.dir, 'tasks'));
    writeFileSync(join(this.dir, 'scanners.yaml'), yaml);
    writeFileSync(join(this.dir, 'tokens'), `${this.token}\n`, { mode: 0o600 });
    writeFileSync(join(this.dir, 'credentials.yaml'), 'linux-servers:\n  username: scanner\n  password: demo-password\n',
      { mode: 0o600 });
    chmodSync(join(this.dir, 'credentials.yaml'), 0o600);
    this.common = {
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      DATA_DIR: join(this.dir, 'tasks'),
      SCANNER_CONFIG: join(this.dir, 'scanners.yaml'),
      LOG_FORMAT: 'json',
    };
    const worker = spawn(this.program('scanner-worker'), [], {
      env: { ...process.env, ...this.common, WORKER_ID: 'e2e-worker', POLL_INTERVAL_SECONDS: '0.5', METRICS_ADDR: '',
        ...workerEnv },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.children.push(worker);
    worker.stderr.on('data', (data) => writeFileSync(join(this.dir, 'worker.log'), data, { flag: 'a' }));
    this.mcpEnv = {
      ...this.common,
      MCP_AUTH_TOKENS_FILE: join(this.dir, 'tokens'),
      MCP_CREDENTIALS_FILE: join(this.dir, 'credentials.yaml'),
      MCP_STATUS_POLL_SECONDS: '0.2',
    };
    const httpLine = await this.start('scanner-mcp-http', this.program('scanner-mcp'), [],
      { ...this.mcpEnv, MCP_LISTEN_ADDR: '127.0.0.1:0' }, 'listening on');
    this.mcpUrl = new URL(httpLine.replace(/^.*listening on /, ''));
    return this;
  }

  // Stops every process; prints the logs' tails when the run failed; exits with its verdict.
  async finish(run) {
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    }
    await sleep(200);
    if (run.failed > 0) {
      for (const name of ['worker.log', 'scanner-mcp-http.log']) {
        const text = spawnSync('tail', ['-n', '20', join(this.dir, name)], { encoding: 'utf8' }).stdout;
        console.log(`--- ${name}\n${text}`);
      }
    }
    console.log(`${run.passed} passed, ${run.failed} failed`);
    process.exit(run.failed > 0 ? 1 : 0);
  }
}
