/** Capture-file readers: pcap/pcapng → link layer → IP → TCP reassembly → BGP messages. */
export { BGP_PORT, type BgpCaptureEvent, type BgpCaptureOptions, readBgpCapture } from './bgp-capture.js';
export { BgpStreamFramer, type FramerEvent, type FramerFault } from './bgp-stream-framer.js';
export { captureFormatOf, readCaptureFile } from './capture-file.js';
export { type CaptureFault, type CaptureFrame, type CaptureRecord, LinkType } from './capture-record.js';
export { IPPROTO_TCP, type IpPacket } from './ip-packet.js';
export { decodeIpv4 } from './ipv4.js';
export { decodeIpv6 } from './ipv6.js';
export { decodeLinkLayer } from './link-layer.js';
export { isPcap, readPcap } from './pcap.js';
export { isPcapng, readPcapng } from './pcapng.js';
export { decodeTcpSegment, TcpFlag, type TcpSegment } from './tcp-segment.js';
export { type TcpFlow, TcpReassembler, type TcpStreamEvent } from './tcp-stream.js';
