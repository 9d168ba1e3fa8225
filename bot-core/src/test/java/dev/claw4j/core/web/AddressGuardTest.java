package dev.claw4j.core.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressGuardTest {
    @ParameterizedTest
    @CsvSource({
            "127.0.0.1, loopback",
            "127.8.9.10, loopback",
            "10.0.0.5, private",
            "172.16.0.1, private",
            "172.31.255.255, private",
            "192.168.1.1, private",
            "100.64.0.1, carrier-grade NAT",
            "169.254.169.254, metadata",
            "169.254.1.1, link-local",
            "100.100.100.200, metadata",
            "0.0.0.0, this network",
            "224.0.0.1, multicast",
            "255.255.255.255, broadcast",
            "::1, loopback",
            "::, unspecified",
            "::ffff:127.0.0.1, loopback",
            "::ffff:169.254.169.254, metadata",
            "fd00:ec2::254, metadata",
            "fd12:3456::1, unique-local",
            "fe80::1, link-local",
            "ff02::1, multicast",
            "64:ff9b::a9fe:a9fe, NAT64",
            "2002:7f00:1::, 6to4",
            "::7f00:1, IPv4-compatible",
            "2001:db8::1, documentation",
    })
    void refusesEveryAddressThatIsNotPublic(String address, String why) throws Exception {
        assertThat(AddressGuard.whyRefused(InetAddress.getByName(address))).containsIgnoringCase(why);
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.215.14", "1.1.1.1", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111",
            "2a00:1450:4001::200e", "64:ff9b::808:808"})
    void letsPublicAddressesThrough(String address) throws Exception {
        assertThat(AddressGuard.whyRefused(InetAddress.getByName(address))).isNull();
    }
}
