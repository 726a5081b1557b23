#!/usr/bin/env bash
# Records examples/captures/bird-gobgp.pcapng: BIRD 2 (AS 65001) and GoBGP (AS 65002)
# peering over IPv4 and over IPv6 in two network namespaces joined by a veth pair,
# each announcing a few prefixes with communities, large communities and MED.
# Needs root, bird2, gobgpd/gobgp and tshark. Everything it creates is named after
# its PID and removed on exit. Usage: capture-bird-gobgp.sh [OUT.pcapng] [SECONDS]
set -euo pipefail

out=$(realpath -m "${1:-examples/captures/bird-gobgp.pcapng}")
seconds=${2:-10}
ns_a="anyvip-cap-$$-a"
ns_b="anyvip-cap-$$-b"
veth_a="avc$$a"
veth_b="avc$$b"
work=$(mktemp -d /tmp/anyvip-cap.XXXXXX)
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  ip netns del "$ns_a" 2>/dev/null || true
  ip netns del "$ns_b" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$ns_a"
ip netns add "$ns_b"
ip link add "$veth_a" type veth peer name "$veth_b"
ip link set "$veth_a" netns "$ns_a"
ip link set "$veth_b" netns "$ns_b"
for side in a b; do
  ns_var="ns_$side"; veth_var="veth_$side"; n=$([ "$side" = a ] && echo 1 || echo 2)
  ip -n "${!ns_var}" link set lo up
  ip -n "${!ns_var}" addr add "10.250.9.$n/24" dev "${!veth_var}"
  ip -n "${!ns_var}" addr add "fd00:250::$n/64" dev "${!veth_var}" nodad
  ip -n "${!ns_var}" link set "${!veth_var}" up
done

cat >"$work/bird.conf" <<'CONF'
router id 10.250.9.1;
protocol device {}
protocol static static4 {
  ipv4;
  route 10.250.100.0/24 blackhole;
  route 10.250.101.0/24 blackhole;
}
protocol static static6 {
  ipv6;
  route fd00:250::100:0/112 blackhole;
  route fd00:250::101:0/112 blackhole;
}
filter tag_routes {
  if source != RTS_STATIC then reject;
  bgp_community.add((65001, 100));
  if net = 10.250.100.0/24 || net = fd00:250::100:0/112 then {
    bgp_med = 50;
    bgp_large_community.add((65001, 1, 2));
  }
  accept;
}
protocol bgp gobgp4 {
  local 10.250.9.1 as 65001;
  neighbor 10.250.9.2 as 65002;
  ipv4 { import all; export filter tag_routes; };
}
protocol bgp gobgp6 {
  local fd00:250::1 as 65001;
  neighbor fd00:250::2 as 65002;
  ipv6 { import all; export filter tag_routes; };
}
CONF

cat >"$work/gobgpd.toml" <<'CONF'
[global.config]
  as = 65002
  router-id = "10.250.9.2"

[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.250.9.1"
    peer-as = 65001
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"

[[neighbors]]
  [neighbors.config]
    neighbor-address = "fd00:250::1"
    peer-as = 65001
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
CONF

# Capture first, so that the OPEN exchange is in the file.
ip netns exec "$ns_a" tshark -q -i "$veth_a" -f 'tcp port 179' -w "$work/capture.pcapng" >"$work/tshark.log" 2>&1 &
pids+=($!)
sleep 2

ip netns exec "$ns_b" gobgpd -f "$work/gobgpd.toml" --api-hosts 127.0.0.1:50051 >"$work/gobgpd.log" 2>&1 &
pids+=($!)
sleep 1
ip netns exec "$ns_b" gobgp -u 127.0.0.1 -p 50051 global rib -a ipv4 add 10.250.200.0/24 \
  community 65002:200 large-community 65002:3:4 med 20
ip netns exec "$ns_b" gobgp -u 127.0.0.1 -p 50051 global rib -a ipv4 add 10.250.201.0/24 community 65002:201
ip netns exec "$ns_b" gobgp -u 127.0.0.1 -p 50051 global rib -a ipv6 add fd00:250::200:0/112 \
  community 65002:200 large-community 65002:3:4 med 30

ip netns exec "$ns_a" bird -c "$work/bird.conf" -s "$work/bird.ctl" -f >"$work/bird.log" 2>&1 &
pids+=($!)
sleep "$seconds"

# End one session with an RFC 8203 shutdown communication, so the demo shows a NOTIFICATION.
ip netns exec "$ns_a" birdc -s "$work/bird.ctl" 'disable gobgp4 "anyvip capture demo over"' || true
sleep 1
ip netns exec "$ns_b" gobgp -u 127.0.0.1 -p 50051 neighbor || true

kill -INT "${pids[0]}"
wait "${pids[0]}" || true
mkdir -p "$(dirname "$out")"
cp "$work/capture.pcapng" "$out"
chmod 0644 "$out"
echo "wrote $out ($(stat -c %s "$out") bytes)"
