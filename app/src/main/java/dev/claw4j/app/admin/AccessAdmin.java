package dev.claw4j.app.admin;

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
    private final String dmPolicy;
    private final List<String> allowedUsers;
    private final List<String> admins;
    private final String actor;
    private final Clock clock;

    public AccessAdmin(Store store, String dmPolicy, List<String> allowedUsers, List<String> admins, String actor,
                       Clock clock) {
        this.store = store;
        this.access = new AccessStore(store.dataSource());
        this.dmPolicy = dmPolicy;
        this.allowedUsers = List.copyOf(allowedUsers);
        this.admins = List.copyOf(admins);
        this.actor = actor;
        this.clock = clock;
    }

    @Override
    public Overview overview() {
        return new Overview(dmPolicy,
                access.pendingCodes(clock.instant()).stream().map(c -> new Pending(c.code(), c.platform(), c.userId(),
                        c.userName(), c.expiresAt().toString())).toList(),
                access.grants().stream().map(g -> new Granted(g.platform(), g.userId(), g.grantedAt().toString(),
                        g.grantedBy())).toList(),
                allowedUsers, admins);
    }

    @Override
    public Optional<Approved> approve(String code) {
        Optional<AccessStore.PairingCode> used = access.approve(code.strip().toUpperCase(Locale.ROOT), actor,
                clock.instant());
        used.ifPresent(c -> store.audit(null, "access.granted", c.platform() + ":" + c.userId() + " (" + c.userName()
                + ") by code, by " + actor, null));
        return used.map(c -> new Approved(c.platform(), c.userId(), c.userName()));
    }

    @Override
    public boolean revoke(String platform, String userId) {
        boolean revoked = access.revoke(platform, userId);
        if (revoked) {
            store.audit(null, "access.revoked", platform + ":" + userId + ", by " + actor, null);
        }
        return revoked;
    }
}
