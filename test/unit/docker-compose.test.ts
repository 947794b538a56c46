import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  entrypoint?: string[];
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  restart?: string;
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { name?: unknown; version?: unknown; services: Record<string, Service> };
const dockerfile = readFileSync('Dockerfile', 'utf8');

/** dist/<path>.js in the image is compiled from src/<path>.ts. */
const sourceOf = (distFile: string) => distFile.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');

describe('docker-compose.yml', () => {
  it('has no top-level name: (docker-compose 1.29 rejects it) and no obsolete version:', () => {
    expect(Object.keys(compose)).toEqual(['services', 'volumes']);
  });

  it('pins every image to a version (no :latest, no bare names), the Dockerfile base images too', () => {
    const images = [
      ...Object.values(compose.services).flatMap((service) => (service.image && !service.build && service.image !== 'temporal-etl:local' ? [service.image] : [])),
      ...[...dockerfile.matchAll(/^FROM (\S+)/gm)].map((match) => String(match[1])),
    ];
    expect(images.length).toBeGreaterThanOrEqual(5);
    for (const image of images) expect(image).toMatch(/^[\w./-]+:(?!latest$)[\w.-]*\d[\w.-]*$/);
  });

  it('seeds the demo data once, before the worker starts, only when the source is empty', () => {
    const { seed, worker } = compose.services;
    expect(seed?.command).toEqual(['node', 'dist/dev/seed-cli.js', '--if-empty', '--rows', '100000']);
    expect(seed?.restart).toBe('no');
    expect(seed?.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(worker?.depends_on?.seed?.condition).toBe('service_completed_successfully');
    expect(worker?.depends_on?.['create-bucket']?.condition).toBe('service_completed_successfully');
  });

  it('runs compiled JavaScript that the image builds from files in this repository', () => {
    const { seed, etl } = compose.services;
    const files = [String(seed?.command?.[1]), String(etl?.entrypoint?.[1]), /CMD \["node", "([^"]+)"\]/.exec(dockerfile)?.[1] ?? 'missing'];
    for (const file of files) expect(existsSync(sourceOf(file))).toBe(true);
    expect(dockerfile).toContain('RUN npm run build');
    expect(dockerfile).toContain('COPY pipelines ./pipelines');
    expect(etl?.profiles).toEqual(['cli']);
  });
});
