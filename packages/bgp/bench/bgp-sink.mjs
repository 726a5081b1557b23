// Usage: node bench/bgp-sink.mjs PORT, then anyvip-bgp speak --peer 127.0.0.1 --port PORT --peer-asn 65002 …
// A minimal BGP receiver for send benchmarks: accepts one connection on PORT, answers
// the OPEN with its own OPEN (AS 65002, 4-octet AS, IPv4 unicast) and a KEEPALIVE,
// then reads and discards everything, counting UPDATEs until the IPv4 End-of-RIB
// (RFC 4724 §2) and printing one JSON line. Usage: node bgp-sink.mjs PORT
import { createServer } from 'node:net';

const port = Number(process.argv[2] ?? 17901);
const hex = (s) => Buffer.from(s.replace(/\s/g, ''), 'hex');
const marker = 'ff'.repeat(16);
const caps = '0206010400010001' + '02020200' + '020641040000fdea';
const openBody = `04fdea005a0a000002${(caps.length / 2).toString(16).padStart(2, '0')}${caps}`;
const open = hex(`${marker}${(19 + openBody.length / 2).toString(16).padStart(4, '0')}01${openBody}`);
const keepalive = hex(`${marker}001304`);

const server = createServer((socket) => {
  let buf = Buffer.alloc(0);
  let answered = false;
  let updates = 0;
  let bytes = 0;
  let first = 0;
  let opened = 0;
  socket.on('data', (chunk) => {
    bytes += chunk.length;
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    let at = 0;
    while (buf.length - at >= 19) {
      const len = buf.readUInt16BE(at + 16);
      if (buf.length - at < len) break;
      const type = buf[at + 18];
      if (type === 1 && !answered) {
        answered = true;
        opened = performance.now();
        socket.write(Buffer.concat([open, keepalive]));
      } else if (type === 2) {
        if (updates === 0) first = performance.now();
        updates++;
        if (len === 23) {
          const ms = performance.now() - first;
          console.log(
            JSON.stringify({
              event: 'sink-eor',
              updates,
              bytes,
              // From our OPEN + KEEPALIVE (the speaker's Established follows at once) to its first UPDATE.
              msOpenToFirstUpdate: Math.round((first - opened) * 10) / 10,
              msFirstUpdateToEor: Math.round(ms),
            }),
          );
        }
      }
      at += len;
    }
    buf = buf.subarray(at);
  });
  socket.on('error', () => {});
  socket.on('close', () => server.close());
});
server.listen(port, '127.0.0.1', () => console.log(JSON.stringify({ event: 'sink-listening', port })));
