import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

/**
 * The deployment files as shipped: the image runs as an unprivileged user on files it cannot
 * change; compose and Kubernetes run it with a read-only root filesystem, no capabilities and no
 * privilege escalation; and only the proxy port is ever published or routed to.
 */

const DOCKERFILE = readFileSync('Dockerfile', 'utf8');
const COMPOSE = parse(readFileSync('docker-compose.yml', 'utf8')) as {
  services: Record<string, Record<string, unknown>>;
};
const NGINX = readFileSync('deploy/nginx/nginx.conf', 'utf8');

interface Container {
  name: string;
  ports?: Array<{ name?: string; containerPort: number }>;
  securityContext?: Record<string, unknown>;
}

interface PodSpec {
  securityContext?: Record<string, unknown>;
  initContainers?: Container[];
  containers: Container[];
}

const DEPLOYMENT = parseAllDocuments(readFileSync('deploy/kubernetes/deployment.yaml', 'utf8'))
  .map((d) => d.toJSON() as { kind?: string; spec: { template: { spec: PodSpec } } })
  .find((d) => d?.kind === 'Deployment')!;

function copies(stage: string[]): string[] {
  return stage.filter((l) => /^COPY\s/i.test(l));
}

/** The Dockerfile's instructions, one per line. */
function instructions(): string[] {
  return DOCKERFILE.replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** The instructions of the Dockerfile's last stage (the image that ships). */
function finalStage(): string[] {
  const lines = instructions();
  const from = lines.map((l) => l.toUpperCase().startsWith('FROM ')).lastIndexOf(true);
  return lines.slice(from);
}

describe('Dockerfile build stage', () => {
  it('copies in every file `npm run build` reads', () => {
    const lines = instructions();
    const build = lines.slice(0, lines.map((l) => l.toUpperCase().startsWith('FROM ')).lastIndexOf(true));
    const copied = copies(build).flatMap((l) => l.split(/\s+/).slice(1, -1));
    const script = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { build: string } })
      .scripts.build;
    // Configuration files named by the build (`tsc -p X`, `rolldown -c X`).
    const files = [...script.matchAll(/\s-[pc]\s+(\S+)/g)].map((m) => m[1]!);
    expect(files).toEqual(['tsconfig.build.json', 'rolldown.config.mjs']);
    for (const file of files) expect(copied).toContain(file);
    expect(build.some((l) => /^RUN\s.*npm run build/.test(l))).toBe(true);
  });
});

describe('the Docker image', () => {
  const stage = finalStage();

  it('runs as an unprivileged user', () => {
    const users = stage.filter((l) => /^USER\s/i.test(l)).map((l) => l.split(/\s+/)[1]);
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!;
    expect(['root', '0', '0:0', 'root:root']).not.toContain(user);
    // The instructions after USER run the process, not as root.
    const userAt = stage.findIndex((l) => /^USER\s/i.test(l));
    expect(stage.slice(userAt).some((l) => /^CMD\s/i.test(l))).toBe(true);
  });

  it('ships code the process cannot modify', () => {
    expect(copies(stage).length).toBeGreaterThan(0);
    for (const copy of copies(stage)) expect(copy).toMatch(/--chown=root:root/);
  });

  it('starts node directly under an init, with a health check on the admin port', () => {
    expect(stage.find((l) => /^ENTRYPOINT\s/i.test(l))).toMatch(/tini/);
    const cmd = JSON.parse(stage.find((l) => /^CMD\s/i.test(l))!.replace(/^CMD\s+/i, '')) as string[];
    expect(cmd[0]).toBe('node');
    // The bundle the build makes (rolldown.config.mjs), copied into the image.
    expect(cmd.at(-1)).toBe('dist/bundle/main.js');
    expect(copies(stage).some((l) => /\/app\/dist\/bundle\s+\.\/dist\/bundle$/.test(l))).toBe(true);
    expect(stage.some((l) => /^HEALTHCHECK\s/i.test(l) && l.includes('/health'))).toBe(true);
  });
});

describe("the image's compile cache", () => {
  const stage = finalStage();
  const dir = /^ENV\s.*NODE_COMPILE_CACHE=(\S+)/.exec(
    stage.find((l) => l.includes('NODE_COMPILE_CACHE='))!,
  )?.[1];
  const warmAt = stage.findIndex((l) => /^RUN\s.*--check-config/.test(l));
  const userAt = (index: number) =>
    stage
      .slice(0, index)
      .filter((l) => /^USER\s/i.test(l))
      .at(-1)
      ?.split(/\s+/)[1];
  const nodeFlags = (words: string[]) =>
    words.slice(words.indexOf('node') + 1, words.indexOf('dist/bundle/main.js'));

  it('is made by the user and with the node flags the sidecar runs with (Node keeps one per user id and flags)', () => {
    expect(dir).toBe('/app/.node-compile-cache');
    expect(warmAt).toBeGreaterThan(0);
    const cmd = JSON.parse(stage.find((l) => /^CMD\s/i.test(l))!.replace(/^CMD\s+/i, '')) as string[];
    expect(userAt(warmAt)).toBe(userAt(stage.length));
    const warm = stage[warmAt]!.split(/\s+/);
    expect(nodeFlags(warm)).toEqual(nodeFlags(cmd));
    expect(warm.at(-1)).toBe('--check-config');
  });

  it('then belongs to root and is read-only for the process', () => {
    const after = stage.slice(warmAt + 1);
    const chown = after.findIndex((l) => /^RUN\s.*chown -R root:root \/app\/\.node-compile-cache/.test(l));
    expect(chown).toBeGreaterThanOrEqual(0);
    expect(userAt(warmAt + 1 + chown)).toBe('root');
    expect(after[chown]).toMatch(/chmod -R a\+rX,go-w \/app\/\.node-compile-cache/);
  });
});

describe('docker-compose.yml', () => {
  const sidecar = COMPOSE.services.sidecar!;

  it('runs the sidecar with a read-only root filesystem, no capabilities and no privilege escalation', () => {
    expect(sidecar.read_only).toBe(true);
    expect(sidecar.tmpfs).toContain('/tmp');
    expect(sidecar.cap_drop).toEqual(['ALL']);
    expect(sidecar.security_opt).toContain('no-new-privileges:true');
    expect(sidecar.privileged ?? false).toBe(false);
    expect(['root', '0', '0:0']).not.toContain(String(sidecar.user ?? 'image default'));
  });

  it('publishes neither of the sidecar ports, and nginx routes to the proxy port only', () => {
    expect(sidecar.ports).toBeUndefined();
    expect(sidecar.expose).toEqual(expect.arrayContaining(['8080', '9464']));
    for (const [name, service] of Object.entries(COMPOSE.services)) {
      for (const port of (service.ports as string[] | undefined) ?? [])
        expect(port, name).not.toMatch(/9464/);
    }
    const servers = [...NGINX.matchAll(/^\s*server\s+([^\s;]+);/gm)].map((m) => m[1]);
    expect(servers).toEqual(['sidecar:8080']);
    for (const pass of NGINX.matchAll(/proxy_pass\s+([^;]+);/g)) expect(pass[1]).not.toMatch(/9464/);
  });
});

describe('the Kubernetes deployment', () => {
  const spec = DEPLOYMENT.spec.template.spec;
  const sidecar = [...(spec.initContainers ?? []), ...spec.containers].find(
    (c) => c.name === 'observability-sidecar',
  )!;

  it('runs the sidecar as non-root with a read-only root filesystem and no capabilities', () => {
    expect(spec.securityContext?.runAsNonRoot).toBe(true);
    const context = sidecar.securityContext!;
    expect(context.readOnlyRootFilesystem).toBe(true);
    expect(context.allowPrivilegeEscalation).toBe(false);
    expect(context.runAsUser).not.toBe(0);
    expect((context.capabilities as { drop: string[] }).drop).toEqual(['ALL']);
  });

  it('exposes the proxy port through the Service, and the admin port to Prometheus only', () => {
    const service = parse(readFileSync('deploy/kubernetes/service.yaml', 'utf8')) as {
      spec: { ports: Array<{ targetPort: string | number }> };
    };
    expect(service.spec.ports.map((p) => p.targetPort)).toEqual(['proxy']);
    const policy = parse(readFileSync('deploy/kubernetes/networkpolicy.yaml', 'utf8')) as {
      spec: { ingress: Array<{ from?: unknown[]; ports: Array<{ port: number }> }> };
    };
    const admin = policy.spec.ingress.filter((rule) => rule.ports.some((p) => p.port === 9464));
    expect(admin).toHaveLength(1);
    expect(admin[0]!.from?.length).toBeGreaterThan(0);
  });
});
