#!/usr/bin/perl
# ground_truth.pl SOCKET SECONDS CONNECTIONS WORKERS: the 600-connection load
# test with exact counts (docs/reliability.md "Ground truth at 600
# connections"). WORKERS processes open CONNECTIONS connections between them
# and hold all of them open at once; each worker then runs units of work on
# its connections, chosen at random, for SECONDS, and counts exactly what it
# produced:
#   statements (including the ones the connector sends on its own at connect,
#   learnt from the session's Questions), transactions that touched a table,
#   and per table the plain, shared and exclusive reads, writes, transactions,
#   duplicate-key errors, deadlocks and lock wait timeouts the clients got,
#   and per (table, column, issue) the encoding findings.
# Some units make their error for sure, so every kind is produced in every
# run: a duplicate key, an invalid utf8mb3 byte sequence, a lock wait timeout
# between two connections of one worker, and a deadlock between two of them
# (one side sent asynchronously: exactly one of the two is the victim). The
# rest conflict by chance on hot rows. At the end half the workers close
# their connections, the other half vanish without COM_QUIT, each of their
# connections in the middle of a transaction.
#
# The parent then waits until lockdiag has seen every disconnect (so every
# statement's end), and compares lockdiag's status, LOCKDIAG_TABLES,
# LOCKDIAG_INCIDENTS, LOCKDIAG_ENCODING and LOCKDIAG_CONNECTIONS with the sum.
# Nothing may differ, except by what Lockdiag_dropped_events declares. A
# client error that its unit did not expect fails the run (lockdiag must
# never fail a statement). Prints one "ok:" or "FAIL:" line per check and a
# "figures:" line; exits 1 on any failure.
#
# Expects a fresh server with lockdiag, innodb_lock_wait_timeout=1,
# max_connections above CONNECTIONS, and the schema made by run-load.sh.
use strict;
use warnings;
use DBI;
use List::Util qw(shuffle);
use POSIX ();
use Time::HiRes qw(time);

my ($sock, $seconds, $connections, $workers) = @ARGV;
die "usage: $0 SOCKET SECONDS CONNECTIONS WORKERS\n" unless $workers && $connections >= 2 * $workers;
my $dsn = "DBI:MariaDB:database=gt;mariadb_socket=$sock";
my @hot = qw(t1 t2 t3 t4);
my $hot_rows = 20;  # ids 1..20 of each: enough contention for chance conflicts

sub connect_one {
  return DBI->connect($dsn, 'root', '', { RaiseError => 0, PrintError => 0, AutoCommit => 1 });
}

# ---- the worker side ------------------------------------------------------
# %n: counters, keyed "statements", "transactions", "table:<t>:<what>",
# "encoding:<t>:<column>:<issue>", "error:<code>".
my %n;
my @unexpected;

# run(C, SQL, EXPECTED_CODES...): one statement, counted. Returns the error
# code (0 on success). An error not in EXPECTED is kept as unexpected.
sub run {
  my ($c, $sql, @expected) = @_;
  $n{statements}++;
  my $rv = $c->do($sql);
  return 0 if defined $rv;
  my $err = $c->err // -1;
  push @unexpected, "$err: " . ($c->errstr // '') . " [$sql]" unless grep { $_ == $err } @expected;
  $n{"error:$err"}++;
  return $err;
}

# A statement on one table: what it does to the table's counters. ERR is the
# error it got; a statement that failed still locked its table first.
sub on_table {
  my ($t, $kind, $err) = @_;
  $n{"table:$t:$kind"}++;
  $n{"table:$t:deadlocks"}++ if $err == 1213;
  $n{"table:$t:lock_wait_timeouts"}++ if $err == 1205;
  $n{"table:$t:duplicate_key_errors"}++ if $err == 1062 || $err == 1586;
}

# A transaction that ended, with the tables it touched.
sub txn_done {
  my %tables = map { $_ => 1 } @_;
  return unless %tables;
  $n{transactions}++;
  $n{"table:$_:transactions"}++ for keys %tables;
}

sub id { 1 + int(rand($hot_rows)) }

# Autocommit point read or write on a hot table.
sub unit_autocommit {
  my ($c) = @_;
  my $t = $hot[rand @hot];
  if (rand() < 0.5) {
    on_table($t, 'plain_reads', run($c, "SELECT n FROM $t WHERE id = " . id()));
  } else {
    on_table($t, 'writes', run($c, "UPDATE $t SET n = n + 1 WHERE id = " . id(), 1205, 1213));
  }
  txn_done($t);
}

# BEGIN; lock a row of A; write it; write a row of B; COMMIT. Two tables in a
# random order, so transactions meet in both orders and deadlock by chance.
sub unit_two_tables {
  my ($c) = @_;
  my ($a, $b) = (shuffle @hot)[0, 1];
  my @touched;
  run($c, "BEGIN");
  my $ida = id();
  for my $step (["SELECT n FROM $a WHERE id = $ida FOR UPDATE", $a, 'exclusive_reads'],
                ["UPDATE $a SET n = n + 1 WHERE id = $ida", $a, 'writes'],
                ["UPDATE $b SET n = n + 1 WHERE id = " . id(), $b, 'writes']) {
    my ($sql, $t, $kind) = @$step;
    my $err = run($c, $sql, 1205, 1213);
    on_table($t, $kind, $err);
    push @touched, $t;
    if ($err == 1213) {  # the whole transaction was rolled back
      txn_done(@touched);
      return;
    }
    if ($err == 1205) {  # the statement was; the application gives up
      run($c, "ROLLBACK");
      txn_done(@touched);
      return;
    }
  }
  run($c, "COMMIT");
  txn_done(@touched);
}

# A shared read in a transaction of its own.
sub unit_shared_read {
  my ($c) = @_;
  my $t = $hot[rand @hot];
  run($c, "BEGIN");
  my $err = run($c, "SELECT n FROM $t WHERE id = " . id() . " LOCK IN SHARE MODE", 1205, 1213);
  on_table($t, 'shared_reads', $err);
  run($c, "ROLLBACK") if $err == 1205;
  run($c, "COMMIT") unless $err;
  txn_done($t);
}

# An INSERT of a key that exists: 1062, always.
sub unit_duplicate {
  my ($c) = @_;
  on_table('dup', 'writes', run($c, "INSERT INTO dup (id) VALUES (" . (1 + int(rand(100))) . ")", 1062));
  txn_done('dup');
}

# Encoding, on a connection that said SET NAMES utf8mb3 at connect: a 4-byte
# character is invalid in utf8mb3 (INVALID_CLIENT_BYTES) and the server
# refuses it with 1366 (LOSSY_CONVERSION, see docs/encoding.md); a write of
# a latin1 column from it is a CHARSET_MISMATCH (utf8mb3 -> latin1), once
# per statement and column whatever the value.
sub unit_encoding {
  my ($c) = @_;
  if (rand() < 0.5) {
    on_table('enc', 'writes', run($c, "INSERT INTO enc (title) VALUES ('smile \x{1F600}')", 1366));
    $n{"encoding:enc:title:INVALID_CLIENT_BYTES"}++;
    $n{"encoding:enc:title:LOSSY_CONVERSION"}++;
  } else {
    on_table('enc', 'writes', run($c, "INSERT INTO enc (name_l1) VALUES ('abc')"));
    $n{"encoding:enc:name_l1:CHARSET_MISMATCH"}++;
  }
  txn_done('enc');
}

# A lock wait timeout for sure: A holds row W of hold, B waits for it
# (innodb_lock_wait_timeout=1) and times out. W is the worker's own row.
sub unit_timeout {
  my ($a, $b, $w) = @_;
  run($a, "BEGIN");
  on_table('hold', 'writes', run($a, "UPDATE hold SET n = n + 1 WHERE id = $w"));
  on_table('hold', 'writes', run($b, "UPDATE hold SET n = n + 1 WHERE id = $w", 1205));
  txn_done('hold');  # B's autocommit statement
  run($a, "COMMIT");
  txn_done('hold');
}

# A deadlock for sure: A and B each lock a row of dl, then A asks for B's row
# (sent without waiting for the answer) and B for A's. InnoDB rolls back one
# of them; the other's statement then completes.
sub unit_deadlock {
  my ($a, $b, $w) = @_;
  my ($ra, $rb) = (2 * $w - 1, 2 * $w);
  run($a, "BEGIN");
  run($b, "BEGIN");
  on_table('dl', 'writes', run($a, "UPDATE dl SET n = n + 1 WHERE id = $ra"));
  on_table('dl', 'writes', run($b, "UPDATE dl SET n = n + 1 WHERE id = $rb"));
  $n{statements}++;
  my $sent = $a->do("UPDATE dl SET n = n + 1 WHERE id = $rb", { mariadb_async => 1 });
  push @unexpected, "async UPDATE not sent: " . ($a->errstr // '') unless $sent;
  my $err_b = run($b, "UPDATE dl SET n = n + 1 WHERE id = $ra", 1213);
  on_table('dl', 'writes', $err_b);
  my $err_a = defined($a->mariadb_async_result) ? 0 : ($a->err // -1);
  if ($err_a) {
    $n{"error:$err_a"}++;
    push @unexpected, "$err_a: " . ($a->errstr // '') . " [async UPDATE]" unless $err_a == 1213;
  }
  on_table('dl', 'writes', $err_a);
  push @unexpected, "deadlock unit: both or neither failed (A $err_a, B $err_b)" unless ($err_a == 1213) != ($err_b == 1213);
  run($a, $err_a ? "ROLLBACK" : "COMMIT");
  run($b, $err_b ? "ROLLBACK" : "COMMIT");
  txn_done('dl');
  txn_done('dl');
}

sub worker {
  my ($w, $count, $go, $out) = @_;
  my @c;
  for my $i (1 .. $count) {
    my $c = connect_one() or do { push @unexpected, "connect: $DBI::errstr"; last };
    # What the connector sent on its own before handing the connection over
    # (DBD::MariaDB: SET NAMES and a few more): the session's Questions
    # count them, and this statement itself.
    my $q = $c->selectrow_arrayref("SHOW SESSION STATUS LIKE 'Questions'");
    push @unexpected, "Questions: " . ($c->errstr // '') unless $q;
    $n{statements} += $q ? $q->[1] : 0;  # the hidden ones and this read
    $n{connected}++;
    run($c, "SET NAMES utf8mb3") if $i == 3;  # the worker's encoding connection
    push @c, $c;
  }
  print $out "ready\n";
  $out->flush;
  <$go>;  # the parent closes it when every worker is connected
  my $stop_at = time + $seconds;
  my $next_forced = time + 1 + rand(2);
  my $units = 0;
  while (@c >= 4 && time < $stop_at) {
    if (time >= $next_forced) {  # the errors made for sure, a pair every few seconds
      unit_timeout($c[0], $c[1], $w);
      unit_deadlock($c[0], $c[1], $w);
      unit_duplicate($c[3]);
      unit_encoding($c[2]);
      $next_forced = time + 3 + rand(2);
      $units += 4;
      next;
    }
    my $c = $c[3 + int(rand(@c - 3))];
    my $r = rand();
    if ($r < 0.45) { unit_autocommit($c) }
    elsif ($r < 0.80) { unit_two_tables($c) }
    elsif ($r < 0.92) { unit_shared_read($c) }
    elsif ($r < 0.96) { unit_duplicate($c) }
    else { unit_encoding($c[2]) }
    $units++;
  }
  # The server's own count of each session's statements, against ours.
  my ($ours, $theirs) = ($n{statements}, 0);
  for my $c (@c) {
    my $q = $c->selectrow_arrayref("SHOW SESSION STATUS LIKE 'Questions'");
    $theirs += $q ? $q->[1] : 0;
  }
  $n{statements} += @c;
  push @unexpected, "the server counted $theirs statements on this worker's sessions, the driver $ours + " . scalar(@c)
    unless $theirs == $ours + @c;
  $n{units} = $units;
  my $vanish = $w % 2 == 0;
  if ($vanish) {  # each connection in the middle of a transaction
    for my $i (0 .. $#c) {
      run($c[$i], "BEGIN");
      on_table('van', 'writes', run($c[$i], "UPDATE van SET n = n + 1 WHERE id = " . (1000 * $w + $i)));
      txn_done('van');  # rolled back and published at the disconnect
    }
    $n{vanished} = @c;
  } else {
    $_->disconnect for @c;
  }
  print $out join(' ', map { "$_=$n{$_}" } sort keys %n), "\n";
  print $out "unexpected $_\n" for @unexpected[0 .. ($#unexpected < 9 ? $#unexpected : 9)];
  close $out;
  POSIX::_exit(0);  # no COM_QUIT for the connections still open
}

# ---- the parent -----------------------------------------------------------
my $failures = 0;
sub ok { print "ok: $_[0]\n" }
sub fail { print "FAIL: $_[0]\n"; $failures++ }
sub check {
  my ($what, $got, $want, $slack) = @_;
  $slack //= 0;
  if ($got == $want) { ok("$what: $got") }
  elsif ($got < $want && $want - $got <= $slack) { ok("$what: $got of $want, the rest declared dropped") }
  else { fail("$what: lockdiag has $got, the clients produced $want") }
}

my $m = connect_one() or die "connect: $DBI::errstr\n";
my $own = 0;  # the checker's statements after the baseline
sub q1 { $own++; my ($v) = $m->selectrow_array($_[0]); die "$_[0]: " . $m->errstr . "\n" if $m->err; $v }
sub status { q1("SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'LOCKDIAG_$_[0]'") }

my $statements0 = status('STATEMENTS');
my $current0 = status('CONNECTIONS_CURRENT');
my %base = map { $_ => status($_) } qw(TRANSACTIONS DROPPED_EVENTS DEADLOCKS LOCK_WAIT_TIMEOUTS DUPLICATE_KEYS);
my $attempts0 = q1("SELECT COALESCE(SUM(ATTEMPTS), 0) FROM information_schema.LOCKDIAG_CONNECTIONS WHERE USER = 'root' AND OUTCOME = 'CONNECTED'");

my $started = time;
pipe(my $go_r, my $go_w) or die "pipe: $!";
my @kids;
for my $w (1 .. $workers) {
  my $count = int($connections / $workers) + ($w <= $connections % $workers ? 1 : 0);
  pipe(my $r, my $out) or die "pipe: $!";
  my $pid = fork() // die "fork: $!";
  if ($pid == 0) {
    close $r;
    close $go_w;
    $m->{InactiveDestroy} = 1;
    worker($w, $count, $go_r, $out);
  }
  close $out;
  push @kids, [$r, $pid];
}
close $go_r;
for my $k (@kids) {
  my $line = readline($k->[0]) // '';
  fail("worker $k->[1] did not connect") unless $line eq "ready\n";
}
my $held = status('CONNECTIONS_CURRENT');
check('connections open at once', $held - $current0, $connections);
my $connected_at = time;
close $go_w;  # go

my %sum;
my $worker_lines = 0;
for my $k (@kids) {
  my ($r, $pid) = @$k;
  while (my $line = <$r>) {
    if ($line =~ /^unexpected (.*)/) { fail("a client got an error its unit did not expect: $1"); next }
    $worker_lines++;
    for (split ' ', $line) { my ($key, $v) = split /=/; $sum{$key} += $v }
  }
  waitpid($pid, 0);
}
my $load_seconds = time - $connected_at;
check('workers that reported', $worker_lines, $workers);

# Every disconnect seen means every statement's end was seen: a connection's
# statements end on its own thread before its disconnect.
my $waited = 0;
while (status('CONNECTIONS_CURRENT') != $current0) {
  last if ++$waited > 600;
  select(undef, undef, undef, 0.1);
}
fail("lockdiag still counts open connections after 60 s") if $waited > 600;

# Drops are allowed only when the run asked for them (run-load.sh's
# LOAD_SERVER_OPTIONS, e.g. a low lockdiag_max_tables); otherwise any drop
# fails, and no count may hide behind it.
my $dropped_seen = status('DROPPED_EVENTS') - $base{DROPPED_EVENTS};
my $dropped = $ENV{LOAD_SERVER_OPTIONS} ? $dropped_seen : 0;
# The reads of this checker up to the next one, which counts itself too.
my $statements = status('STATEMENTS');
check('Lockdiag_statements', $statements - $statements0 - $own + 1, $sum{statements} // 0, $dropped);
check('Lockdiag_transactions', status('TRANSACTIONS') - $base{TRANSACTIONS}, $sum{transactions} // 0, $dropped);
check('Lockdiag_deadlocks', status('DEADLOCKS') - $base{DEADLOCKS}, $sum{'error:1213'} // 0);
check('Lockdiag_lock_wait_timeouts', status('LOCK_WAIT_TIMEOUTS') - $base{LOCK_WAIT_TIMEOUTS}, $sum{'error:1205'} // 0);
check('Lockdiag_duplicate_keys', status('DUPLICATE_KEYS') - $base{DUPLICATE_KEYS}, $sum{'error:1062'} // 0);
check('LOCKDIAG_CONNECTIONS root CONNECTED attempts',
      q1("SELECT SUM(ATTEMPTS) FROM information_schema.LOCKDIAG_CONNECTIONS WHERE USER = 'root' AND OUTCOME = 'CONNECTED'") - $attempts0,
      $sum{connected} // 0);
fail("a kind of error was not produced (deadlocks $sum{'error:1213'}, timeouts $sum{'error:1205'}, duplicates $sum{'error:1062'}, 1366 $sum{'error:1366'})")
  unless ($sum{'error:1213'} // 0) && ($sum{'error:1205'} // 0) && ($sum{'error:1062'} // 0) && ($sum{'error:1366'} // 0);

my %columns = (plain_reads => 'PLAIN_READS', shared_reads => 'SHARED_READS', exclusive_reads => 'EXCLUSIVE_READS',
               writes => 'WRITES', transactions => 'TRANSACTIONS', duplicate_key_errors => 'DUPLICATE_KEY_ERRORS',
               deadlocks => 'DEADLOCKS', lock_wait_timeouts => 'LOCK_WAIT_TIMEOUTS');
$own++;
my $rows = $m->selectall_hashref("SELECT TABLE_NAME, " . join(', ', values %columns) .
                                 " FROM information_schema.LOCKDIAG_TABLES WHERE TABLE_SCHEMA = 'gt'", 'TABLE_NAME');
for my $t (@hot, qw(dup enc hold dl van)) {
  my $tracked = exists $rows->{$t};  # before the reads below bring the key to life
  my @diff;
  for my $k (sort keys %columns) {
    my ($got, $want) = ($rows->{$t}{ $columns{$k} } // 0, $sum{"table:$t:$k"} // 0);
    push @diff, "$columns{$k} $got (clients: $want)" if $got != $want;
  }
  my $what = "LOCKDIAG_TABLES gt.$t (" . join(', ', map { "$columns{$_} " . ($sum{"table:$t:$_"} // 0) } sort keys %columns) . ")";
  # Over lockdiag_max_tables a table is never taken in: with drops declared,
  # a table is exact or absent, never partly counted.
  if (!@diff) { ok($what) }
  elsif ($dropped && !$tracked) { ok("gt.$t is not tracked: dropped, as Lockdiag_dropped_events ($dropped) declares") }
  else { fail("gt.$t: @diff") }
}

# Every lock error is an incident row (lockdiag_history_size holds them all).
$own++;
my $inc = $m->selectall_arrayref("SELECT TABLE_NAME, ERROR_CODE, COUNT(*) FROM information_schema.LOCKDIAG_INCIDENTS
                                  WHERE TABLE_SCHEMA = 'gt' GROUP BY TABLE_NAME, ERROR_CODE");
my %incidents = map { ("$_->[0]:$_->[1]" => $_->[2]) } @$inc;
my ($inc_bad, $inc_total) = (0, 0);
for my $t (@hot, qw(dup enc hold dl van)) {
  for my $e ([1213, 'deadlocks'], [1205, 'lock_wait_timeouts'], [1062, 'duplicate_key_errors']) {
    my ($got, $want) = ($incidents{"$t:$e->[0]"} // 0, $sum{"table:$t:$e->[1]"} // 0);
    $inc_total += $got;
    next if $got == $want;
    fail("LOCKDIAG_INCIDENTS gt.$t error $e->[0]: $got rows, the clients got $want");
    $inc_bad++;
  }
}
ok("LOCKDIAG_INCIDENTS: $inc_total rows, one per lock error the clients got, on the right table") unless $inc_bad;

$own++;
my $enc = $m->selectall_arrayref("SELECT TABLE_NAME, COLUMN_NAME, ISSUE, SUM(OCCURRENCES) FROM information_schema.LOCKDIAG_ENCODING
                                  WHERE TABLE_SCHEMA = 'gt' GROUP BY TABLE_NAME, COLUMN_NAME, ISSUE");
my %encoding = map { ("encoding:$_->[0]:$_->[1]:$_->[2]" => $_->[3]) } @$enc;
for my $k (sort(keys %encoding), grep { /^encoding:/ && !exists $encoding{$_} } sort keys %sum) {
  my (undef, $t, $col, $issue) = split /:/, $k;
  check("LOCKDIAG_ENCODING gt.$t.$col $issue", $encoding{$k} // 0, $sum{$k} // 0);
}
if ($ENV{LOAD_SERVER_OPTIONS}) { ok("Lockdiag_dropped_events: $dropped_seen, allowed by LOAD_SERVER_OPTIONS") }
else { check('Lockdiag_dropped_events', $dropped_seen, 0) }  # a run within the bounds drops nothing

printf "figures: %d connections held by %d workers, %.0f s of load (%.0f s in all); %d units, %d statements, " .
       "%d transactions; deadlocks %d, lock wait timeouts %d, duplicate keys %d, 1366 %d; %d connections vanished " .
       "mid-transaction; dropped %d\n",
  $connections, $workers, $load_seconds, time - $started, $sum{units} // 0, $sum{statements} // 0,
  $sum{transactions} // 0, $sum{'error:1213'} // 0, $sum{'error:1205'} // 0, $sum{'error:1062'} // 0,
  $sum{"error:1366"} // 0, $sum{vanished} // 0, $dropped_seen;
exit($failures ? 1 : 0);
