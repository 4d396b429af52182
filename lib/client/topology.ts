// Where the nodes are: from the tier's stack outputs, or from URLs and addresses.
import { OUTPUTS, outputVariableName } from '../output-names';
import { DEFAULTS, type DataTierClientOptions, type NodeAddress, type ReplicaAddress } from './options';
import { SignIn, type Endpoint } from './sign-in';

/**
 * A tier's stack outputs, by their names in the stack (`ProxyEndpoint`, `Replica1Endpoint`...) or
 * as `data-tier outputs` prints them (`PROXY_ENDPOINT`, `REPLICA1_ENDPOINT`...): its `--json`
 * object, or `process.env` after `eval "$(npx data-tier outputs --deployed --tier <name>)"`. An
 * endpoint may carry its own port (`localhost:15432`, through a tunnel); otherwise `DatabasePort`'s.
 */
export type TierOutputs = Readonly<Record<string, string | undefined>>;

export interface Topology {
  readonly writer: Endpoint;
  readonly replicas: ReadonlyArray<{ readonly name: string; readonly endpoint: Endpoint }>;
  readonly database: string;
  readonly signIn: SignIn;
}

/** The nodes of a tier from its outputs: the writer through the proxy, each replica's own endpoint. */
export function nodesFromOutputs(outputs: TierOutputs): Pick<DataTierClientOptions, 'writer' | 'replicas' | 'database' | 'port'> {
  const output = (name: string) => outputs[name] ?? outputs[outputVariableName(name)];
  const proxy = output(OUTPUTS.proxyEndpoint);
  if (!proxy) {
    throw new Error(
      `the outputs have no ${OUTPUTS.proxyEndpoint} (or ${outputVariableName(OUTPUTS.proxyEndpoint)}): pass the tier's stack outputs, e.g. the JSON of npx data-tier outputs --deployed --tier <name> --json`,
    );
  }
  const portText = output(OUTPUTS.databasePort);
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && !(Number.isInteger(port) && port > 0)) throw new Error(`${OUTPUTS.databasePort} is not a port: ${JSON.stringify(portText)}`);
  const replicas: ReplicaAddress[] = [];
  for (let n = 1; output(OUTPUTS.replicaEndpoint(n)) !== undefined; n++) replicas.push({ ...endpointOutput(OUTPUTS.replicaEndpoint(n), output(OUTPUTS.replicaEndpoint(n))!), name: `replica-${n}` });
  return { writer: endpointOutput(OUTPUTS.proxyEndpoint, proxy), replicas, database: output(OUTPUTS.databaseName), port };
}

/**
 * An endpoint output: a host name, as the stack gives it (the port is DatabasePort's), or
 * `host:port`, as a tunnel or a local server on a port of its own gives it.
 */
function endpointOutput(name: string, value: string): NodeAddress {
  const withPort = /^([^:]+):(\d+)$/.exec(value);
  if (!withPort) return { host: value };
  const port = Number(withPort[2]);
  if (!(port > 0 && port < 65_536)) throw new Error(`${name} has a port out of range: ${JSON.stringify(value)}`);
  return { host: withPort[1], port };
}

export function topologyOf(options: DataTierClientOptions): Topology {
  const defaultPort = options.port ?? DEFAULTS.port;
  const writer = parseNode(options.writer, defaultPort, 'writer');
  const replicas = (options.replicas ?? []).map((replica, i) => {
    const parsed = parseNode(replica, defaultPort, `replica ${i + 1}`);
    return { name: (typeof replica === 'string' ? undefined : replica.name) ?? `replica-${i + 1}`, endpoint: parsed.endpoint };
  });
  const names = replicas.map((replica) => replica.name);
  const repeated = names.find((name, i) => names.indexOf(name) !== i || name === 'writer');
  if (repeated) throw new Error(`two nodes are named ${repeated}: give each replica its own name (and none "writer")`);
  const signIn = options.signIn ?? (writer.user !== undefined ? SignIn.password(writer.user, writer.password ?? '') : undefined);
  if (!signIn) throw new Error('the client needs a way to sign in: signIn (SignIn.iam, SignIn.secret or SignIn.password), or a writer URL with user and password');
  return { writer: writer.endpoint, replicas, database: options.database ?? writer.database ?? DEFAULTS.database, signIn };
}

function parseNode(node: string | NodeAddress, defaultPort: number, what: string): { endpoint: Endpoint; user?: string; password?: string; database?: string } {
  if (typeof node !== 'string') return { endpoint: { host: node.host, port: node.port ?? defaultPort } };
  let url: URL;
  try {
    url = new URL(node);
  } catch {
    throw new Error(`the ${what} is not a URL: give postgres://[user[:password]@]host[:port][/database] or { host, port }`);
  }
  if (!/^postgres(ql)?:$/.test(url.protocol) || !url.hostname) throw new Error(`the ${what} URL must be postgres://host..., not ${url.protocol}//${url.hostname}`);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  return {
    endpoint: { host: url.hostname, port: url.port ? Number(url.port) : defaultPort },
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database: database || undefined,
  };
}
