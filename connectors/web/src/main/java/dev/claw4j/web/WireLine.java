package dev.claw4j.web;

import dev.claw4j.core.model.ChatLine;

/**
 * One chat line as the API and the page see it; {@code at} is an ISO-8601 string so clients need no date
 * handling beyond {@code new Date(at)}.
 */
record WireLine(long id, String direction, String sender, String text, String status, String at) {
    static WireLine of(ChatLine line) {
        return new WireLine(line.id(), line.direction(), line.sender(), line.text(), line.status(),
                line.at() == null ? null : line.at().toString());
    }
}
