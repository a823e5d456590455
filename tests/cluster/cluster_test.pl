#!/usr/bin/perl
# cluster_test.pl: lockdiag on a running 3-node Galera cluster (started by
# run-cluster-test.sh). Usage: cluster_test.pl CLUSTER_DIR LOCKDIAG_REPORT OUT_DIR
#
# Every check compares what lockdiag recorded with what the clients saw:
#   1. a transaction aborted while idle by a write from node 2 (brute force):
#      COMMIT fails with 1213; node 1 has one CLUSTER_CONFLICT incident of
#      kind BRUTE_FORCE_ABORT on the table, linked to MULTI_NODE_WRITE_CONFLICT;
#   2. the same while the transaction waits for a row lock of node 1 itself;
#   3. an ordinary InnoDB deadlock on node 1 stays ER_LOCK_DEADLOCK (the
#      negative case: a cluster node's own deadlocks are not conflicts);
#   4. a race of node 1 and node 2 on one row: every 1213 a client got is one
#      cluster conflict on its node (Lockdiag_cluster_conflicts), none is a
#      deadlock, and certification failures are told from brute-force aborts;
#   5. node 3 applied everything but wrote nothing itself: no write recorded
#      there (replicated write sets stay out of the analysis);
#   6. orders then stock on node 1, stock then orders on node 2: no node sees
#      an inversion, lockdiag-report --servers shows it across the servers;
#   7. UNINSTALL SONAME replicates, and is deferred on every node.
use strict;
use warnings;
use DBI;
use JSON::PP;
use POSIX ();

my ($dir, $report, $out) = @ARGV;
die "usage: $0 CLUSTER_DIR LOCKDIAG_REPORT OUT_DIR\n" unless $out;
my $failures = 0;
sub fail { print "FAIL: $_[0]\n"; $failures++; }
sub check { my ($ok, $what) = @_; $ok ? print("ok: $what\n") : fail($what); }

sub connect_node {
  my ($n) = @_;
  return DBI->connect("DBI:MariaDB:mariadb_socket=$dir/node$n/mysqld.sock", 'root', '',
                      { RaiseError => 1, PrintError => 0, AutoCommit => 1, AutoInactiveDestroy => 1 });
}
# AutoInactiveDestroy: a forked child (the race) must not close these.
my %admin = map { $_ => connect_node($_) } 1 .. 3;
sub status {
  my ($n, $name) = @_;
  return $admin{$n}->selectrow_array(
    "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = ?", undef, uc $name);
}
sub incidents {
  my ($n) = @_;
  return $admin{$n}->selectall_arrayref(
    "SELECT INCIDENT_ID, ERROR_CODE, ERROR_NAME, CONFLICT_KIND, TABLE_SCHEMA, TABLE_NAME, PATTERN_ID
       FROM information_schema.LOCKDIAG_INCIDENTS ORDER BY INCIDENT_ID", { Slice => {} });
}
sub pattern_of {
  my ($n, $id) = @_;
  return undef unless defined $id;
  return $admin{$n}->selectrow_hashref(
    "SELECT PATTERN, OBJECTS, OCCURRENCES, EVIDENCE FROM information_schema.LOCKDIAG_PATTERNS
      WHERE PATTERN_ID = ?", undef, $id);
}
sub reset_all { $admin{$_}->do("SET GLOBAL lockdiag_reset = ON") for 1 .. 3; }
# wait_for_lock_wait: until a transaction of node 1 waits for a row lock
# (polling the server's state, not waiting for time; at most 30 s).
sub wait_for_lock_wait {
  my $until = time + 30;
  while (time < $until) {
    my ($w) = $admin{1}->selectrow_array(
      "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'");
    return if $w > 0;
    # INNODB_TRX is a cache that InnoDB refreshes only when it was not read
    # for 100 ms: polling faster would read the same stale rows for ever.
    select(undef, undef, undef, 0.15);
  }
  fail("no transaction of node 1 waited for a lock within 30 s");
}
# The error a statement ended with: its code, or 0.
sub error_of {
  my ($code) = @_;
  return eval { $code->(); 0 } // ($DBI::err || -1);
}

# --- set-up: one INSTALL on node 1 reaches every node (Galera replicates
# INSTALL SONAME as DDL), the schema likewise.
for my $n (1 .. 3) {
  my ($status) = $admin{$n}->selectrow_array(
    "SELECT PLUGIN_STATUS FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'LOCKDIAG'");
  check(($status // '') eq 'ACTIVE', "node $n: lockdiag is active after one INSTALL SONAME on node 1");
}
$admin{1}->do($_) for (
  "CREATE DATABASE app",
  "CREATE TABLE app.accounts (id INT PRIMARY KEY, n INT) ENGINE=InnoDB",
  "CREATE TABLE app.orders (id INT PRIMARY KEY, n INT) ENGINE=InnoDB",
  "CREATE TABLE app.stock (id INT PRIMARY KEY, n INT) ENGINE=InnoDB",
  "INSERT INTO app.accounts VALUES (1, 0), (2, 0), (3, 0)",
  "INSERT INTO app.orders VALUES (1, 0)",
  "INSERT INTO app.stock VALUES (1, 0)",
  q{CREATE USER reporter@'127.0.0.1' IDENTIFIED BY 'rpt'},
  q{GRANT PROCESS ON *.* TO reporter@'127.0.0.1'});
# The schema is on node 3 once a causal read there sees the last row.
$admin{3}->do("SET SESSION wsrep_sync_wait = 1");
$admin{3}->selectrow_array("SELECT COUNT(*) FROM app.stock");
reset_all();

# --- 1. brute-force abort of an idle transaction.
{
  my ($a, $b) = (connect_node(1), connect_node(2));
  $a->begin_work;
  $a->do("UPDATE app.accounts SET n = n + 1 WHERE id = 1");
  $b->do("UPDATE app.accounts SET n = n + 10 WHERE id = 1");  # certified first: node 1's applier aborts $a
  my $err = error_of(sub { $a->commit });
  check($err == 1213, "1: the idle transaction's COMMIT failed with 1213 (got $err)");
  my @inc = @{ incidents(1) };
  check(@inc == 1, "1: node 1 recorded one incident (" . scalar(@inc) . ")");
  my $i = $inc[0] // {};
  check(($i->{ERROR_CODE} // 0) == 1213 && ($i->{ERROR_NAME} // '') eq 'CLUSTER_CONFLICT' &&
          ($i->{CONFLICT_KIND} // '') eq 'BRUTE_FORCE_ABORT' && ($i->{TABLE_NAME} // '') eq 'accounts',
        "1: 1213 CLUSTER_CONFLICT BRUTE_FORCE_ABORT on accounts ("
          . join(' ', map { $_ // 'NULL' } @$i{qw(ERROR_CODE ERROR_NAME CONFLICT_KIND TABLE_NAME)}) . ")");
  my $p = pattern_of(1, $i->{PATTERN_ID});
  check($p && $p->{PATTERN} eq 'MULTI_NODE_WRITE_CONFLICT' && $p->{OBJECTS} eq 'app.accounts',
        "1: the incident is linked to MULTI_NODE_WRITE_CONFLICT on app.accounts");
  check(status(1, 'lockdiag_deadlocks') == 0 && status(1, 'lockdiag_cluster_conflicts') == 1,
        "1: counted as a cluster conflict, not a deadlock");
  check(!@{ incidents(2) }, "2: node 2, whose write won, recorded nothing");
}

# --- 2. brute-force abort of a transaction waiting for a lock of node 1.
{
  my ($a, $holder, $b) = (connect_node(1), connect_node(1), connect_node(2));
  $holder->begin_work;
  $holder->do("UPDATE app.accounts SET n = n + 1 WHERE id = 3");
  $a->begin_work;
  $a->do("UPDATE app.accounts SET n = n + 1 WHERE id = 2");
  my $waiting = $a->prepare("UPDATE app.accounts SET n = n + 1 WHERE id = 3", { mariadb_async => 1 });
  $waiting->execute;
  # $a waits for $holder's row lock until the write from node 2 needs its row 2.
  wait_for_lock_wait();
  $b->do("UPDATE app.accounts SET n = n + 10 WHERE id = 2");
  my $err = error_of(sub { $waiting->mariadb_async_result });
  check($err == 1213, "2: the waiting statement failed with 1213 (got $err)");
  eval { $a->rollback };
  $holder->rollback;
  my @inc = grep { ($_->{CONFLICT_KIND} // '') eq 'BRUTE_FORCE_ABORT' } @{ incidents(1) };
  check(@inc == 2, "2: node 1 has two brute-force aborts (" . scalar(@inc) . ")");
}

# --- 3. an InnoDB deadlock of two node 1 connections stays a deadlock.
{
  my ($x, $y) = (connect_node(1), connect_node(1));
  $x->begin_work;
  $y->begin_work;
  $x->do("UPDATE app.orders SET n = n + 1 WHERE id = 1");
  $y->do("UPDATE app.stock SET n = n + 1 WHERE id = 1");
  my $sx = $x->prepare("UPDATE app.stock SET n = n + 1 WHERE id = 1", { mariadb_async => 1 });
  $sx->execute;
  wait_for_lock_wait();
  my $ey = error_of(sub { $y->do("UPDATE app.orders SET n = n + 1 WHERE id = 1") });
  my $ex = error_of(sub { $sx->mariadb_async_result });
  check(($ex == 1213) != ($ey == 1213), "3: one of the two local transactions was the deadlock victim");
  eval { $x->rollback };
  eval { $y->rollback };
  my @dl = grep { $_->{ERROR_NAME} eq 'ER_LOCK_DEADLOCK' && !defined $_->{CONFLICT_KIND} } @{ incidents(1) };
  check(@dl == 1, "3: node 1 recorded it as ER_LOCK_DEADLOCK without CONFLICT_KIND");
  check(status(1, 'lockdiag_deadlocks') == 1 && status(1, 'lockdiag_cluster_conflicts') == 2,
        "3: Lockdiag_deadlocks 1, Lockdiag_cluster_conflicts still 2");
}

# --- 4. a race: node 1 and node 2 update one row in explicit transactions.
{
  reset_all();
  my %seen;  # node => [ok, 1213s, other errors]
  my @kids;
  for my $n (1, 2) {
    pipe(my $r, my $w) or die "pipe: $!";
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
      close $r;
      my $c = connect_node($n);
      my ($ok, $conflicts, $other) = (0, 0, 0);
      # Until both sides have had conflicts (and a bounded time).
      my $until = time + 8;
      while (time < $until) {
        my $err = error_of(sub {
          $c->begin_work;
          $c->do("UPDATE app.accounts SET n = n + 1 WHERE id = 2");
          $c->commit;
        });
        $c->{AutoCommit} = 1;
        if ($err == 0) { $ok++ } elsif ($err == 1213) { $conflicts++ } else { $other++ }
        last if $ok + $conflicts >= 3000;
      }
      print $w "$ok $conflicts $other\n";
      close $w;
      # No global destruction in the child: it would close the parent's
      # connections, whose sockets it inherited.
      POSIX::_exit(0);
    }
    close $w;
    push @kids, [$n, $r, $pid];
  }
  for my $k (@kids) {
    my ($n, $r, $pid) = @$k;
    my $line = <$r>;
    waitpid($pid, 0);
    $seen{$n} = [split ' ', ($line // '0 0 -1')];
  }
  my %kinds;
  for my $n (1, 2) {
    my ($ok, $conflicts, $other) = @{ $seen{$n} };
    print "race: node $n: $ok committed, $conflicts failed with 1213, $other other errors\n";
    check($other == 0, "4: node $n: no error but 1213");
    my $counted = status($n, 'lockdiag_cluster_conflicts');
    check($counted == $conflicts, "4: node $n: Lockdiag_cluster_conflicts $counted = the clients' 1213s $conflicts");
    check(status($n, 'lockdiag_deadlocks') == 0, "4: node $n: no deadlock counted");
    my ($ev) = $admin{$n}->selectrow_array(
      "SELECT EVIDENCE FROM information_schema.LOCKDIAG_PATTERNS WHERE PATTERN = 'MULTI_NODE_WRITE_CONFLICT'");
    my ($bf, $cert) = ($ev // '') =~ /(\d+) brute-force abort.*?(\d+) certification failure/;
    print "race: node $n: $bf brute-force aborts, $cert certification failures; wsrep_local_bf_aborts "
      . status($n, 'wsrep_local_bf_aborts') . ", wsrep_local_cert_failures " . status($n, 'wsrep_local_cert_failures')
      . " (since start)\n" if defined $bf;
    check(defined $bf && $bf + $cert == $conflicts, "4: node $n: the finding's kinds add up to the 1213s");
    $kinds{bf} += $bf // 0;
    $kinds{cert} += $cert // 0;
  }
  check($kinds{bf} > 0 && $kinds{cert} > 0, "4: both kinds were seen ($kinds{bf} brute force, $kinds{cert} certification)");
}

# --- 5. node 3 applied every write set and ran no client statement.
{
  my ($v1) = $admin{1}->selectrow_array("SELECT n FROM app.accounts WHERE id = 2");
  $admin{3}->do("SET SESSION wsrep_sync_wait = 1");
  my ($v3) = $admin{3}->selectrow_array("SELECT n FROM app.accounts WHERE id = 2");
  check($v1 == $v3, "5: node 3 applied the race ($v3 = $v1)");
  # (The two reads above are node 3's only client statements.)
  my ($writes) = $admin{3}->selectrow_array(
    "SELECT COALESCE(SUM(WRITES), 0) FROM information_schema.LOCKDIAG_TABLES");
  check($writes == 0, "5: node 3 recorded none of the appliers' writes ($writes)");
  check(!@{ incidents(3) }, "5: and no incident");
}

# --- 6. a lock-order inversion across nodes.
{
  reset_all();
  my ($a, $b) = (connect_node(1), connect_node(2));
  for my $i (1 .. 3) {
    $a->begin_work;
    $a->do("UPDATE app.orders SET n = n + 1 WHERE id = 1");
    $a->do("UPDATE app.stock SET n = n + 1 WHERE id = 1");
    $a->commit;
    $b->begin_work;
    $b->do("UPDATE app.stock SET n = n + 1 WHERE id = 1");
    $b->do("UPDATE app.orders SET n = n + 1 WHERE id = 1");
    $b->commit;
  }
  for my $n (1 .. 3) {
    my ($inv) = $admin{$n}->selectrow_array(
      "SELECT COUNT(*) FROM information_schema.LOCKDIAG_PATTERNS WHERE PATTERN = 'LOCK_ORDER_INVERSION'");
    check($inv == 0, "6: node $n alone sees no inversion");
  }
  my @ports = map { 3491 + $_ - 1 } 1 .. 3;
  my $servers = join ',', map { "127.0.0.1:$_" } @ports;
  system("$report -u reporter -prpt --servers=$servers --format=json > $out/merged.json 2> $out/merged.err");
  my $rc = $? >> 8;
  check($rc == 1, "6: lockdiag-report --servers exits 1 (findings), got $rc");
  system("$report -u reporter -prpt --servers=$servers --no-color > $out/merged.txt 2>&1");
  my $doc = eval { local $/; open my $f, '<', "$out/merged.json" or die; decode_json(<$f>) } // {};
  my @cross = grep { $_->{pattern} eq 'LOCK_ORDER_INVERSION' && $_->{cross_server} } @{ $doc->{findings} // [] };
  check(@cross == 1 && join(',', @{ $cross[0]{objects} }) eq 'app.orders,app.stock',
        "6: the merged view has the cross-node inversion of app.orders and app.stock");
  check(@cross && $cross[0]{evidence} =~ /127\.0\.0\.1:3491/ && $cross[0]{evidence} =~ /127\.0\.0\.1:3492/,
        "6: its evidence names node 1 and node 2");
  my @mnwc = grep { $_->{pattern} eq 'MULTI_NODE_WRITE_CONFLICT' } @{ $doc->{findings} // [] };
  check(!@mnwc, "6: after the reset no node reports a write conflict");
}

# --- 7. UNINSTALL SONAME on one node reaches every node, and waits there:
# the appliers (system threads that never disconnect) hold the audit plugin,
# so each node frees it at its next restart (docs/cluster.md).
{
  $admin{2}->do("UNINSTALL SONAME 'lockdiag'");
  my $warnings = $admin{2}->selectall_arrayref("SHOW WARNINGS");
  check(grep({ $_->[1] == 1620 } @$warnings), "7: UNINSTALL on node 2 warns 1620 (busy, uninstalled on shutdown)");
  for my $n (1 .. 3) {
    $admin{$n}->do("SET SESSION wsrep_sync_wait = 1");
    my ($rows) = $admin{$n}->selectrow_array("SELECT COUNT(*) FROM mysql.plugin WHERE dl = 'lockdiag.so'");
    my ($status) = $admin{$n}->selectrow_array(
      "SELECT PLUGIN_STATUS FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'LOCKDIAG'");
    check($rows == 0 && ($status // '') eq 'DELETED', "7: node $n: removed from mysql.plugin, DELETED until restart");
  }
}

print $failures ? "cluster: $failures check(s) failed\n" : "cluster: every check passed\n";
exit($failures ? 1 : 0);
