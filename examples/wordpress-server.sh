#!/bin/sh
# A WordPress web server: SSH, HTTP and HTTPS in, everything out, the rest dropped, over IPv4 and IPv6.
# Run as root. The SSH rule goes in before the DROP policy, so the session running this stays up.
IPT=/sbin/iptables
IP6T=/sbin/ip6tables

# Start from a clean, open state.
$IPT -P INPUT ACCEPT
$IPT -P FORWARD ACCEPT
$IPT -P OUTPUT ACCEPT
$IPT -F
$IPT -X
$IPT -t nat -F
$IPT -t nat -X
$IPT -t mangle -F
$IPT -t mangle -X

$IPT -A INPUT -i lo -j ACCEPT
$IPT -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
$IPT -A INPUT -m conntrack --ctstate INVALID -j DROP
$IPT -A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT
$IPT -A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT
$IPT -A INPUT -p icmp --icmp-type echo-request -m limit --limit 5/second -j ACCEPT

# Default deny, set last.
$IPT -P INPUT DROP
$IPT -P FORWARD DROP

# iptables filters IPv4 only: the same for IPv6, which also needs ICMPv6 (neighbour discovery, packet too big).
$IP6T -P INPUT ACCEPT
$IP6T -P FORWARD ACCEPT
$IP6T -P OUTPUT ACCEPT
$IP6T -F
$IP6T -X

$IP6T -A INPUT -i lo -j ACCEPT
$IP6T -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
$IP6T -A INPUT -m conntrack --ctstate INVALID -j DROP
$IP6T -A INPUT -p ipv6-icmp -j ACCEPT
$IP6T -A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT
$IP6T -A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT

$IP6T -P INPUT DROP
$IP6T -P FORWARD DROP
