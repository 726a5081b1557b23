#!/usr/bin/env python3
"""Writes the four MRT subsets of this corpus from the full upstream files (see SUBSETS.md).

Usage: subset-mrt.py FULL_CORPUS_DIR OUT_CORPUS_DIR

A throw-away header walker, independent of the TypeScript reader under test: it cuts
whole MRT records (never a record in half), gzips them with `gzip -n -9` semantics
(no name, no time stamp, so the output is reproducible) and cuts bgpdump's expected
output to the same records, checking each kept line against its record. It prints the
record and message counts that test/wire/corpus-expected/mrt.json states for each subset.
"""
import bz2
import collections
import gzip
import io
import os
import struct
import sys

TYPES = {12: 'TABLE_DUMP', 16: 'BGP4MP', 17: 'BGP4MP_ET'}
SUBTYPES = {
    12: {1: 'AFI_IPv4', 2: 'AFI_IPv6'},
    16: {0: 'STATE_CHANGE', 1: 'MESSAGE', 4: 'MESSAGE_AS4', 5: 'STATE_CHANGE_AS4'},
    17: {0: 'STATE_CHANGE', 1: 'MESSAGE', 4: 'MESSAGE_AS4', 5: 'STATE_CHANGE_AS4'},
}
BGP_TYPES = {1: 'OPEN', 2: 'UPDATE', 3: 'NOTIFICATION', 4: 'KEEPALIVE', 5: 'ROUTE-REFRESH'}


def records(data, quirk=False):
    """(start, end, timestamp, microseconds, type, subtype) of each record."""
    off = 0
    while off + 12 <= len(data):
        ts, typ, sub, ln = struct.unpack('>IHHI', data[off:off + 12])
        end = off + 12 + ln
        if quirk and typ == 12:
            # bgpkit's rrc00 bview: TABLE_DUMP records declare 4 octets less than written.
            def plausible(p):
                if p == len(data):
                    return True
                if p + 12 > len(data):
                    return False
                t2, ty2 = struct.unpack('>IH', data[p:p + 6])
                return ty2 == 12 and abs(t2 - ts) < 86400
            if not plausible(end) and plausible(end + 4):
                end += 4
        usec = struct.unpack('>I', data[off + 12:off + 16])[0] if typ == 17 else None
        yield off, end, ts, usec, typ, sub
        off = end


def bgp_message(data, off, end, typ, sub):
    """The BGP message inside a BGP4MP(_ET) MESSAGE(_AS4) record, else None."""
    if typ not in (16, 17) or sub not in (1, 4):
        return None
    p = off + 12 + (4 if typ == 17 else 0)
    p += 2 * (4 if sub == 4 else 2) + 2
    afi = struct.unpack('>H', data[p:p + 2])[0]
    p += 2 + (8 if afi == 1 else 32)
    return data[p:end]


def attribute_codes(msg):
    if msg is None or len(msg) < 23 or msg[18] != 2:
        return []
    wl = struct.unpack('>H', msg[19:21])[0]
    q = 21 + wl
    al = struct.unpack('>H', msg[q:q + 2])[0]
    q += 2
    e, codes = q + al, []
    while q < e:
        flags, code = msg[q], msg[q + 1]
        if flags & 0x10:
            q += 4 + struct.unpack('>H', msg[q + 2:q + 4])[0]
        else:
            q += 3 + msg[q + 2]
        codes.append(code)
    return codes


def read(path):
    raw = open(path, 'rb').read()
    return bz2.decompress(raw) if path.endswith('.bz2') else gzip.decompress(raw)


def write_gz(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    buf = io.BytesIO()
    with gzip.GzipFile(filename='', mode='wb', compresslevel=9, fileobj=buf, mtime=0) as f:
        f.write(data)
    open(path, 'wb').write(buf.getvalue())


def counts(data, recs):
    mrt, messages = collections.Counter(), collections.Counter()
    for off, end, _ts, _us, typ, sub in recs:
        mrt[f'{TYPES[typ]}/{SUBTYPES[typ][sub]}'] += 1
        msg = bgp_message(data, off, end, typ, sub)
        if msg is not None and len(msg) >= 19:
            messages[BGP_TYPES.get(msg[18], str(msg[18]))] += 1
    return dict(mrt), dict(messages)


def subset(src_dir, out_dir, rel, out_rel, pick, quirk=False, expect=None):
    data = read(os.path.join(src_dir, rel))
    recs = list(records(data, quirk))
    kept = [r for i, r in enumerate(recs, 1) if pick(i, data, r)]
    write_gz(os.path.join(out_dir, out_rel), b''.join(data[r[0]:r[1]] for r in kept))
    mrt, messages = counts(data, kept)
    print(f'{out_rel}: records {len(kept)} of {len(recs)}; mrt {mrt}; messages {messages}')
    if expect is not None:
        lines = gzip.decompress(open(os.path.join(src_dir, expect[0]), 'rb').read()).split(b'\n')
        lines = [l for l in lines if l]
        out = expect[1](lines, data, recs, kept)
        buf = io.BytesIO()
        with gzip.GzipFile(filename='', mode='wb', compresslevel=9, fileobj=buf, mtime=0) as f:
            f.write(b''.join(l + b'\n' for l in out))
        open(os.path.join(out_dir, 'bgpdump/test_expect', os.path.basename(out_rel) + '.bgp.gz'), 'wb').write(
            buf.getvalue())
        print(f'  expected lines: {len(out)} of {len(lines)}')


def table_dump_lines(lines, data, recs, kept):
    """TABLE_DUMP (v1) holds one entry per record, and bgpdump -m prints one line per entry, in order."""
    assert len(lines) == len(recs)
    out = []
    for i, (off, _e, _ts, _us, _t, _s) in enumerate(kept):
        prefix = '.'.join(str(b) for b in data[off + 16:off + 20]) + '/' + str(data[off + 20])
        fields = lines[i].decode('latin1').split('|')
        assert fields[5] == prefix, (i, fields[5], prefix)
        out.append(lines[i])
    return out


def et_lines(lines, data, recs, kept):
    """BGP4MP_ET lines carry the record's microsecond timestamp: keep the lines of the kept records."""
    stamp = lambda r: f'{r[2]}.{r[3]:06d}'.encode()
    every = collections.Counter(stamp(r) for r in recs)
    want = {stamp(r) for r in kept}
    assert all(every[s] == 1 for s in want), 'a kept record shares its timestamp with another'
    return [l for l in lines if l.split(b'|')[1] in want]


def main():
    src, out = sys.argv[1], sys.argv[2]
    subset(src, out, 'bgpdump/test_data/bview.20020722.2337.gz',
           'bgpdump/test_data/bview.20020722.2337.first-10000-records.gz',
           lambda i, d, r: i <= 10000,
           expect=('bgpdump/test_expect/bview.20020722.2337.gz.bgp.gz', table_dump_lines))
    # The first 3,000 records, plus the only UPDATEs with CONNECTOR (20) and AS_PATHLIMIT (21).
    subset(src, out, 'bgpdump/test_data/updates.et-header.2015.gz',
           'bgpdump/test_data/updates.et-header.2015.subset.gz',
           lambda i, d, r: i <= 3000 or any(c in (20, 21) for c in attribute_codes(bgp_message(d, r[0], r[1], r[4], r[5]))),
           expect=('bgpdump/test_expect/updates.et-header.2015.gz.bgp.gz', et_lines))
    subset(src, out, 'bgp-rs/updates.20190101.0000.gz',
           'bgp-rs/updates.20190101.0000.first-2000-records.gz',
           lambda i, d, r: i <= 2000)
    subset(src, out, 'bgpkit-parser/ripe/rrc00/2000.01/bview.20000111.0032.gz',
           'bgpkit-parser/ripe/rrc00/2000.01/bview.20000111.0032.first-120-records.gz',
           lambda i, d, r: i <= 120, quirk=True)


if __name__ == '__main__':
    main()
