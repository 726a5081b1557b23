import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import {
  CoreV1ApiRequestFactory,
  CoreV1ApiResponseProcessor,
} from '@kubernetes/client-node/dist/gen/apis/CoreV1Api.js';
import { createConfiguration } from '@kubernetes/client-node/dist/gen/configuration.js';
import { type RequestContext, ResponseContext } from '@kubernetes/client-node/dist/gen/http/http.js';
import { ServerConfiguration } from '@kubernetes/client-node/dist/gen/servers.js';
import { afterEach, describe, expect, it } from 'vitest';
import { carriedByNodeHttp, dispatcherFetch } from '../../src/kubernetes/dispatcher-fetch.js';
import { NodeHttpDispatcher } from '../../src/kubernetes/node-http-dispatcher.js';
import { TestApiServer } from '../support/api-server.js';
import { until } from '../support/until.js';

/**
 * The fetch the shipped bundle gives client-node (scripts/bundle-kubernetes.ts), against the
 * in-repo API server: requests built by client-node's own request factory, answered through its
 * own response processor, as its gen/http/isomorphic-fetch.js does; watches read as its
 * watch.js reads them (a web stream made a Node stream, split into lines).
 */

const dispatchers: NodeHttpDispatcher[] = [];
let server: TestApiServer | undefined;
afterEach(async () => {
  for (const d of dispatchers.splice(0)) d.close();
  await server?.close();
  server = undefined;
});

function dispatcher(): NodeHttpDispatcher {
  const d = new NodeHttpDispatcher();
  dispatchers.push(d);
  return d;
}

/** client-node's request factory for `url`, with our dispatcher on every request. */
function factory(url: string, d: NodeHttpDispatcher): CoreV1ApiRequestFactory {
  const auth = {
    getName: () => 'default',
    applySecurityAuthentication: (context: RequestContext) => {
      context.setDispatcher(d as unknown as Parameters<RequestContext['setDispatcher']>[0]);
    },
  };
  return new CoreV1ApiRequestFactory(
    createConfiguration({
      baseServer: new ServerConfiguration<Record<string, string>>(url, {}),
      authMethods: { default: auth },
    }),
  );
}

/** What client-node's IsomorphicFetchHttpLibrary.send does, with dispatcherFetch. */
async function send(request: RequestContext): Promise<ResponseContext> {
  const response = await dispatcherFetch(request.getUrl(), {
    method: request.getHttpMethod().toString(),
    body: request.getBody() as string | undefined,
    headers: request.getHeaders(),
    signal: request.getSignal() ?? null,
    dispatcher: request.getDispatcher(),
  });
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return new ResponseContext(response.status, headers, {
    text: () => response.text(),
    binary: async () => Buffer.from(await response.arrayBuffer()),
    stream: () => response.body,
  });
}

describe('dispatcherFetch: client-node requests over a NodeHttpDispatcher', () => {
  it('carries only requests whose dispatcher is a NodeHttpDispatcher', () => {
    expect(carriedByNodeHttp({ dispatcher: dispatcher() })).toBe(true);
    expect(carriedByNodeHttp({ dispatcher: { dispatch: () => true } })).toBe(false);
    expect(carriedByNodeHttp(undefined)).toBe(false);
  });

  it('lists, creates and gets a refusal through the real request factory and response processor', async () => {
    server = await TestApiServer.start();
    server.apply('v1', 'nodes', { metadata: { name: 'node1', labels: { a: 'é ✓' } } });
    const f = factory(server.url, dispatcher());
    const out = new CoreV1ApiResponseProcessor();
    const list = await out.listNodeWithHttpInfo(await send(await f.listNode()));
    expect(list.httpStatusCode).toBe(200);
    expect(list.data.items.map((n) => n.metadata?.labels?.a)).toEqual(['é ✓']);
    expect(list.headers['content-type']).toMatch(/json/);
    const created = await out.createNamespacedEventWithHttpInfo(
      await send(
        await f.createNamespacedEvent('default', {
          metadata: { name: 'e1' },
          involvedObject: { kind: 'Node', name: 'node1' },
        }),
      ),
    );
    expect(created.httpStatusCode).toBe(201);
    expect(created.data.metadata?.name).toBe('e1');
    // A second create of the same name: client-node's ApiException with the status as `code`.
    const again = send(
      await f.createNamespacedEvent('default', {
        metadata: { name: 'e1' },
        involvedObject: { kind: 'Node', name: 'node1' },
      }),
    ).then((r) => out.createNamespacedEventWithHttpInfo(r));
    await expect(again).rejects.toMatchObject({ code: 409 });
  });

  it('streams a watch as client-node reads it, and an abort ends it', async () => {
    server = await TestApiServer.start();
    const s = server;
    s.apply('v1', 'nodes', { metadata: { name: 'node1' } });
    const abort = new AbortController();
    const response = await dispatcherFetch(`${s.url}/api/v1/nodes?watch=true&resourceVersion=0`, {
      method: 'GET',
      headers: {},
      signal: abort.signal,
      dispatcher: dispatcher(),
    });
    expect(response.status).toBe(200);
    const body = Readable.fromWeb(response.body as Parameters<typeof Readable.fromWeb>[0]);
    const seen: string[] = [];
    let closed = false;
    body.on('error', () => {
      closed = true;
    });
    body.on('close', () => {
      closed = true;
    });
    const lines = createInterface(body);
    // As watch.js: the stream ends in an AbortError, which readline passes on.
    lines.on('error', () => {
      closed = true;
    });
    lines.on('line', (line) => {
      const e = JSON.parse(line) as { type: string; object: { metadata: { name: string } } };
      seen.push(`${e.type} ${e.object.metadata.name}`);
    });
    s.apply('v1', 'nodes', { metadata: { name: 'node2' } });
    await until('node2 through the watch', () => seen.includes('ADDED node2'));
    abort.abort();
    await until('the watch stream ends', () => closed);
  });

  it('rejects as fetch does: TypeError "fetch failed" with the cause (named in the message); an aborted signal with its reason', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const a = probe.address();
        probe.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
      });
    });
    const refused = dispatcherFetch(`http://127.0.0.1:${port}/api/v1/nodes`, { dispatcher: dispatcher() });
    await expect(refused).rejects.toMatchObject({
      name: 'TypeError',
      message: expect.stringMatching(/^fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/),
    });
    await expect(refused.catch((e: Error) => e.cause)).resolves.toMatchObject({ code: 'ECONNREFUSED' });
    const abort = new AbortController();
    const reason = new Error('stop');
    abort.abort(reason);
    await expect(
      dispatcherFetch(`http://127.0.0.1:${port}/`, { signal: abort.signal, dispatcher: dispatcher() }),
    ).rejects.toBe(reason);
    await expect(dispatcherFetch('http://127.0.0.1:1/', { dispatcher: {} })).rejects.toThrow(
      /NodeHttpDispatcher/,
    );
  });
});
