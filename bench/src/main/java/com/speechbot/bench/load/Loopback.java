package com.speechbot.bench.load;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * The tool only ever talks to this machine: targets must be {@code localhost} or a literal IPv4 address in
 * 127.0.0.0/8, and source addresses are 127.0.0.1 .. 127.0.0.N (Linux routes the whole /8 over {@code lo}).
 */
final class Loopback {

    private Loopback() {}

    /** The IPv4 loopback address {@code uri} names; throws a usage error for anything else. */
    static Inet4Address requireLoopback(URI uri, String option) {
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new Args.UsageException(option + " needs a host: " + uri);
        }
        if (host.equalsIgnoreCase("localhost")) {
            return address(127, 0, 0, 1);
        }
        int[] octets = parseIpv4(host);
        if (octets == null || octets[0] != 127) {
            throw new Args.UsageException(option + " must point at this machine (localhost or 127.0.0.0/8), got '"
                    + host + "': the load tool refuses other targets");
        }
        return address(octets[0], octets[1], octets[2], octets[3]);
    }

    /** 127.0.0.(1 + i % count): the i-th connection's source address. */
    static Inet4Address source(int i, int count) {
        return address(127, 0, 0, 1 + Math.floorMod(i, count));
    }

    private static int[] parseIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        int[] out = new int[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                return null;
            }
            out[i] = Integer.parseInt(p);
            if (out[i] > 255) {
                return null;
            }
        }
        return out;
    }

    private static Inet4Address address(int a, int b, int c, int d) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always a valid address
        }
    }
}
