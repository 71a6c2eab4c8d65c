// The `docker` runtime (in progress).
import { LabError } from "./runtime.ts";
import { RemoteRuntime, type Reached } from "./remote.ts";

export class DockerOptionError extends Error {
  readonly exitCode = 3;
  constructor(message: string) { super(message); this.name = "UsageError"; }
}
export interface DockerOptions { image: string; slot?: number }
export function parseDockerOptions(o: Record<string, unknown>): DockerOptions {
  return { image: String(o.image ?? "faultline-node:latest"), slot: o.slot as number | undefined };
}
export class DockerRuntime extends RemoteRuntime {
  readonly name = "docker";
  constructor(readonly options: DockerOptions) { super("docker", options.slot); }
  get subnets(): string[] { return []; }
  protected async reach(): Promise<Reached[]> { throw new LabError("not yet"); }
}
