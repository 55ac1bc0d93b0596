package io.shallowserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Who closes a retired version: exactly one caller, the retire or the last release. */
class UserCountTest {

    @Test
    void retire_nobodyHoldsIt_theRetireCloses() {
        UserCount users = new UserCount();

        assertThat(users.retire()).isTrue();
        assertThat(users.retire()).as("a second retire").isFalse();
    }

    @Test
    void release_lastUserOfARetiredVersion_closes() {
        UserCount users = new UserCount();
        assertThat(users.acquire()).isTrue();
        assertThat(users.acquire()).isTrue();

        assertThat(users.retire()).isFalse();
        assertThat(users.release()).isFalse();
        assertThat(users.release()).isTrue();
    }

    @Test
    void release_versionNotRetired_neverCloses() {
        UserCount users = new UserCount();
        assertThat(users.acquire()).isTrue();

        assertThat(users.release()).isFalse();
        assertThat(users.retire()).as("retired once nobody holds it").isTrue();
    }

    @Test
    void acquire_retired_isRefused() {
        UserCount users = new UserCount();
        users.retire();

        assertThat(users.acquire()).isFalse();
    }
}
