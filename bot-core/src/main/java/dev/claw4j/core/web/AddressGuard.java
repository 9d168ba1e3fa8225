package dev.claw4j.core.web;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The SSRF guard: which addresses the host never connects to on an agent's behalf. Only public unicast
 * addresses pass; loopback, private, link-local, CGNAT, unique-local, multicast, reserved and documentation
 * ranges and the cloud metadata addresses are refused, and so are IPv6 forms that embed an IPv4 address
 * (NAT64, 6to4, IPv4-compatible) when the embedded one would be refused.
 */
public final class AddressGuard {
    private AddressGuard() {}

    /** Why the host must not connect to {@code address}, or null when it is a public address. */
    public static String whyRefused(InetAddress address) {
        if (address instanceof Inet4Address v4) {
            return why4(v4.getAddress());
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address && b.length == 16) {
            return why6(b);
        }
        return "not an IPv4 or IPv6 address";
    }

    private static String why4(byte[] b) {
        int a0 = b[0] & 0xff, a1 = b[1] & 0xff, a2 = b[2] & 0xff, a3 = b[3] & 0xff;
        if (a0 == 169 && a1 == 254 && a2 == 169 && a3 == 254) {
            return "the cloud metadata address";
        }
        if (a0 == 100 && a1 == 100 && a2 == 100 && a3 == 200) {
            return "a cloud metadata address";
        }
        if (a0 == 0) return "the 'this network' range 0.0.0.0/8";
        if (a0 == 10) return "a private address (10.0.0.0/8)";
        if (a0 == 100 && (a1 & 0xc0) == 64) return "a carrier-grade NAT address (100.64.0.0/10)";
        if (a0 == 127) return "a loopback address";
        if (a0 == 169 && a1 == 254) return "a link-local address";
        if (a0 == 172 && (a1 & 0xf0) == 16) return "a private address (172.16.0.0/12)";
        if (a0 == 192 && a1 == 0 && a2 == 0) return "an IETF protocol address (192.0.0.0/24)";
        if (a0 == 192 && a1 == 0 && a2 == 2) return "a documentation address";
        if (a0 == 192 && a1 == 88 && a2 == 99) return "a 6to4 relay address";
        if (a0 == 192 && a1 == 168) return "a private address (192.168.0.0/16)";
        if (a0 == 198 && (a1 & 0xfe) == 18) return "a benchmarking address (198.18.0.0/15)";
        if (a0 == 198 && a1 == 51 && a2 == 100) return "a documentation address";
        if (a0 == 203 && a1 == 0 && a2 == 113) return "a documentation address";
        if (a0 >= 224 && a0 < 240) return "a multicast address";
        if (a0 >= 240) return "a reserved or broadcast address";
        return null;
    }

    private static String why6(byte[] b) {
        int w0 = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
        int w1 = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        boolean zero80 = allZero(b, 0, 10);
        if (zero80 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return embedded(b, 12, "an IPv4-mapped address");
        }
        if (allZero(b, 0, 12)) {
            if (allZero(b, 12, 15) && b[15] == 1) return "the loopback address ::1";
            if (allZero(b, 12, 16)) return "the unspecified address ::";
            return "an IPv4-compatible address (::/96, deprecated)";
        }
        if (w0 == 0xfd00 && w1 == 0x0ec2 && allZero(b, 4, 14) && b[14] == 0x02 && (b[15] & 0xff) == 0x54) {
            return "the cloud metadata address";
        }
        if (w0 == 0x0064 && w1 == 0xff9b && allZero(b, 4, 12)) {
            return embedded(b, 12, "a NAT64 address");
        }
        if (w0 == 0x0064 && w1 == 0xff9b) return "a local-use NAT64 address (64:ff9b:1::/48)";
        if (w0 == 0x0100 && allZero(b, 2, 8)) return "a discard-only address (100::/64)";
        if (w0 == 0x2001 && w1 == 0x0db8) return "a documentation address";
        if (w0 == 0x2001 && w1 == 0x0000) return "a Teredo address (2001::/32)";
        if (w0 == 0x2001 && (w1 & 0xfff0) == 0x0010) return "an ORCHID address";
        if (w0 == 0x2002) return embedded(b, 2, "a 6to4 address");
        if ((w0 & 0xfe00) == 0xfc00) return "a unique-local address (fc00::/7)";
        if ((w0 & 0xffc0) == 0xfe80) return "a link-local address";
        if ((w0 & 0xffc0) == 0xfec0) return "a site-local address";
        if ((w0 & 0xff00) == 0xff00) return "a multicast address";
        return null;
    }

    /** An IPv6 address carrying an IPv4 one at {@code offset}: refused when the IPv4 address would be. */
    private static String embedded(byte[] b, int offset, String what) {
        byte[] v4 = {b[offset], b[offset + 1], b[offset + 2], b[offset + 3]};
        String why = why4(v4);
        if (why == null) {
            return null;
        }
        try {
            return what + " for " + InetAddress.getByAddress(v4).getHostAddress() + ", " + why;
        } catch (UnknownHostException e) {
            return what + " for " + why;
        }
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
