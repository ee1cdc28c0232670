// A local HTTP server that counts the connections its clients opened (by their ports) and sends
// each answer's body a moment after its head, as a server across a network can: a client that
// cancels an answer instead of reading it to its end then cannot use the connection again.
export interface CountingServer {
  url: string;
  /** Connections clients opened so far. */
  connections(): number;
  close(): Promise<void>;
}

export function countingServer(answer: (req: Request) => Promise<Response>): CountingServer {
  const ports = new Set<number>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req, info) => {
      ports.add(info.remoteAddr.port);
      const res = await answer(req);
      const bytes = new Uint8Array(await res.arrayBuffer());
      let timer: ReturnType<typeof setTimeout> | undefined;
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          timer = setTimeout(() => {
            c.enqueue(bytes);
            c.close();
          }, 5);
        },
        // A client that cancels its answer leaves the stream before the timer fires.
        cancel: () => clearTimeout(timer),
      });
      return new Response(body, { status: res.status, headers: res.headers });
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    connections: () => ports.size,
    close: () => server.shutdown(),
  };
}
