package dev.claw4j.app.admin;

import dev.claw4j.app.Config;
import dev.claw4j.core.access.AccessStore;
import dev.claw4j.core.store.Store;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The access operations on the database, audited, named by who did them ({@code cli}, {@code admin-api}). */
public final class AccessAdmin implements AccessApi {
    private final Store store;
    private final AccessStore access;
    private final Config.Access config;
    private final String actor;
    private final Clock clock;

    public AccessAdmin(Store store, Config.Access config, String actor, Clock clock) {
        this.store = store;
        this.access = new AccessStore(store.dataSource());
        this.config = config;
        this.actor = actor;
        this.clock = clock;
    }

    public AccessAdmin(Store store, String dmPolicy, List<String> allowedUsers, List<String> admins, String actor,
                       Clock clock) {
        this(store, new Config.Access(dmPolicy, null, null, allowedUsers, admins), actor, clock);
    }

    @Override
    public Overview overview() {
        return new Overview(config.dm(), config.groups(),
                access.pendingCodes(clock.instant()).stream().map(c -> new Pending(c.code(), c.platform(), c.userId(),
                        c.userName(), c.expiresAt().toString(), c.chatId())).toList(),
                access.grants().stream().map(g -> new Granted(g.platform(), g.userId(), g.grantedAt().toString(),
                        g.grantedBy())).toList(),
                access.chatGrants().stream().map(g -> new GrantedChat(g.platform(), g.chatId(),
                        g.grantedAt().toString(), g.grantedBy())).toList(),
                List.copyOf(config.allowedUsers()), List.copyOf(config.admins()), List.copyOf(config.allowedChats()));
    }

    @Override
    public Optional<Approved> approve(String code) {
        Optional<AccessStore.PairingCode> used = access.approve(code.strip().toUpperCase(Locale.ROOT), actor,
                clock.instant());
        used.ifPresent(c -> store.audit().record(null, "access.granted", c.forChat()
                ? "chat " + c.platform() + ":" + c.chatId() + " (asked by " + c.platform() + ":" + c.userId() + ", "
                        + c.userName() + ") by code, by " + actor
                : c.platform() + ":" + c.userId() + " (" + c.userName() + ") by code, by " + actor, null));
        return used.map(c -> new Approved(c.platform(), c.userId(), c.userName(), c.chatId()));
    }

    @Override
    public boolean deny(String code) {
        Optional<AccessStore.PairingCode> denied = access.deny(code.strip().toUpperCase(Locale.ROOT), clock.instant());
        denied.ifPresent(c -> store.audit().record(null, "access.denied", (c.forChat() ? "chat " + c.platform() + ":"
                + c.chatId() + " (asked by " + c.platform() + ":" + c.userId() + ")" : c.platform() + ":" + c.userId())
                + " (" + c.userName() + "), code " + c.code() + ", by " + actor, null));
        return denied.isPresent();
    }

    @Override
    public boolean revoke(String platform, String userId) {
        boolean revoked = access.revoke(platform, userId);
        if (revoked) {
            store.audit().record(null, "access.revoked", platform + ":" + userId + ", by " + actor, null);
        }
        return revoked;
    }

    @Override
    public boolean revokeChat(String platform, String chatId) {
        boolean revoked = access.revokeChat(platform, chatId);
        if (revoked) {
            store.audit().record(null, "access.revoked", "chat " + platform + ":" + chatId + ", by " + actor, null);
        }
        return revoked;
    }
}
