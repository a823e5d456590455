#!/usr/bin/perl
# churn.pl SOCKET OUT_DIR [SECONDS] [WRITERS] [READERS]: plugin churn under
# load (issue 9), against a private server that has lockdiag installed.
#
# WRITERS connections (default 120) run transactions on four tables in two
# lock orders, READERS connections (default 4) read every LOCKDIAG_* table,
# and one controller repeats, for SECONDS (default 20):
#   UNINSTALL SONAME 'lockdiag'; INSTALL SONAME 'lockdiag';
#   SET GLOBAL lockdiag_enabled / lockdiag_reset / lockdiag_max_tables /
#   lockdiag_history_size.
# While the load's connections hold the audit plugin the server defers its
# uninstall (warning 1620), and its system variables are unknown meanwhile
# (1193): both are expected answers, counted. What must never happen: the
# server going away, a writer getting an error other than the lock errors
# its transactions cause (1213, 1205), a reader getting an error other than
# "unknown table" while the tables are uninstalled.
#
# After the load has ended (every connection that held the plugin closed),
# a new connection must bring lockdiag back with one UNINSTALL + INSTALL:
# every plugin ACTIVE, its variables at their defaults, recording again.
use strict;
use warnings;
use DBI;
use POSIX ();
use Time::HiRes qw(time);

my ($sock, $out, $seconds, $writers, $readers) = @ARGV;
die "usage: $0 SOCKET OUT_DIR [SECONDS] [WRITERS] [READERS]\n" unless $out;
$seconds //= 20;
$writers //= 120;
$readers //= 4;
# CHURN_SONAME=server_audit runs the same churn with the server's own audit
# plugin (install and uninstall only): the baseline for what the server does.
my $soname = $ENV{CHURN_SONAME} // 'lockdiag';
my $failures = 0;
sub fail { print "FAIL: $_[0]\n"; $failures++; }
sub check { my ($ok, $what) = @_; $ok ? print("ok: $what\n") : fail($what); }
sub connect_server {
  return DBI->connect("DBI:MariaDB:database=churn;mariadb_socket=$sock", 'root', '',
                      { RaiseError => 1, PrintError => 0, AutoCommit => 1, AutoInactiveDestroy => 1 });
}
# error_of: 0, or the error code of what `code` ran.
sub error_of { my ($code) = @_; return eval { $code->(); 0 } // ($DBI::err || -1); }

my $setup = DBI->connect("DBI:MariaDB:mariadb_socket=$sock", 'root', '', { RaiseError => 1, PrintError => 0 });
$setup->do($_) for (
  "DROP DATABASE IF EXISTS churn", "CREATE DATABASE churn",
  map({ ("CREATE TABLE churn.t$_ (id INT PRIMARY KEY, n INT) ENGINE=InnoDB",
         "INSERT INTO churn.t$_ SELECT seq, 0 FROM churn.seq_1_to_50") } 1 .. 4));
$setup->disconnect;

my $stop_at = time + $seconds;
# Each child writes one line "role ok counts-by-error" to its pipe.
my @kids;
sub spawn {
  my ($role, $body) = @_;
  pipe(my $r, my $w) or die "pipe: $!";
  my $pid = fork() // die "fork: $!";
  if ($pid == 0) {
    close $r;
    my %errors;
    my $ok = 0;
    my $c = eval { connect_server() };
    if (!$c) {
      print $w "$role 0 connect:1\n";
      POSIX::_exit(0);
    }
    $body->($c, \$ok, \%errors);
    print $w "$role $ok " . join(',', map { "$_:$errors{$_}" } sort keys %errors) . "\n";
    close $w;
    POSIX::_exit(0);  # no global destruction of inherited handles
  }
  close $w;
  push @kids, [$r, $pid];
}

for my $i (1 .. $writers) {
  spawn('writer', sub {
    my ($c, $ok, $errors) = @_;
    my ($a, $b) = $i % 2 ? (1, 2) : (2, 1);  # two lock orders: real deadlocks
    my ($x, $y) = (3 + $i % 2, 3 + ($i + 1) % 2);
    while (time < $stop_at) {
      my $id = 1 + int(rand(50));
      my $err = error_of(sub {
        $c->begin_work;
        $c->do("UPDATE t$a SET n = n + 1 WHERE id = ?", undef, $id);
        $c->do("UPDATE t$b SET n = n + 1 WHERE id = ?", undef, $id);
        $c->commit;
        $c->selectrow_array("SELECT n FROM t$x WHERE id = ?", undef, $id);
        $c->do("UPDATE t$y SET n = n + 1 WHERE id = ?", undef, $id);
      });
      if ($err) {
        $errors->{$err}++;
        eval { $c->rollback } if !$c->{AutoCommit};
        $c->{AutoCommit} = 1;
        last if !$c->ping;  # the server went away: stop, it is counted
      } else {
        $$ok++;
      }
    }
  });
}
my @tables = qw(LOCKDIAG_TABLES LOCKDIAG_LOCK_ORDER LOCKDIAG_PATTERNS LOCKDIAG_INCIDENTS LOCKDIAG_ENCODING
  LOCKDIAG_CONNECTIONS);
for my $i (1 .. $readers) {
  spawn('reader', sub {
    my ($c, $ok, $errors) = @_;
    while (time < $stop_at) {
      for my $t (@tables) {
        my $err = error_of(sub { $c->selectall_arrayref("SELECT * FROM information_schema.$t") });
        $err ? $errors->{$err}++ : $$ok++;
      }
      $c->selectrow_array("SHOW GLOBAL STATUS LIKE 'Lockdiag_statements'");
    }
  });
}
# The controller, in this process.
my %answers;
{
  my $c = connect_server();
  my @steps = (
    "UNINSTALL SONAME '$soname'", "INSTALL SONAME '$soname'",
    "SET GLOBAL lockdiag_enabled = OFF", "SET GLOBAL lockdiag_enabled = ON",
    "SET GLOBAL lockdiag_reset = ON", "SET GLOBAL lockdiag_max_tables = 2",
    "SET GLOBAL lockdiag_history_size = 1", "SET GLOBAL lockdiag_max_tables = 10000",
    "SET GLOBAL lockdiag_history_size = 1000");
  my $rounds = 0;
  my ($waits, $waited, $longest) = (0, 0, 0);
  while (time < $stop_at) {
    for my $sql (@steps) {
      if ($sql =~ /^INSTALL/ && !$ENV{CHURN_RACE}) {
        # Wait until the server has freed the uninstalled plugin before
        # installing it again (polling, at most 10 s). An INSTALL SONAME
        # that runs while the server frees the same library crashes
        # 10.11.18, with server_audit as with lockdiag (docs/reliability.md);
        # CHURN_RACE=1 leaves the wait out and reproduces it.
        my $t0 = time;
        while (time < $t0 + 10) {
          my ($pending) = $c->selectrow_array(
            "SELECT COUNT(*) FROM information_schema.PLUGINS WHERE PLUGIN_LIBRARY = ? AND PLUGIN_STATUS = 'DELETED'",
            undef, "$soname.so");
          last if !$pending;
          select(undef, undef, undef, 0.001);
        }
        my $dt = time - $t0;
        ($waits, $waited) = ($waits + 1, $waited + $dt);
        $longest = $dt if $dt > $longest;
      }
      my $err = error_of(sub { $c->do($sql) });
      my ($verb) = $sql =~ /^(\w+ \w+(?: lockdiag_\w+)?)/;
      my $w = $c->selectall_arrayref("SHOW WARNINGS") // [];
      my $codes = join('+', $err, map { $_->[1] } @$w);
      $answers{"$verb -> $codes"}++;
    }
    $rounds++;
  }
  printf "controller: %d rounds; before each INSTALL the pending uninstall ended after %.1f ms on average, %.1f ms at most\n",
    $rounds, $waits ? 1000 * $waited / $waits : 0, 1000 * $longest;
  $c->disconnect;
}

my (%roles, %errors);
for my $k (@kids) {
  my ($r, $pid) = @$k;
  my $line = <$r> // "lost 0 gone:1";
  waitpid($pid, 0);
  chomp $line;
  my ($role, $ok, $errs) = split / /, $line, 3;
  $roles{$role}{ok} += $ok;
  $roles{$role}{n}++;
  for (split /,/, $errs // '') {
    my ($code, $n) = split /:/;
    $errors{$role}{$code} += $n;
  }
}
for my $role (sort keys %roles) {
  my $e = join(', ', map { "$_ x$errors{$role}{$_}" } sort keys %{ $errors{$role} // {} }) || 'none';
  print "$role: $roles{$role}{n} connections, $roles{$role}{ok} done, errors: $e\n";
}
print "controller answers (error+warnings -> times):\n";
print "  $_: $answers{$_}\n" for sort keys %answers;

check(!$roles{lost}, "every child reported (none died)");
my %writer_ok = map { $_ => 1 } (1213, 1205);
my @bad_w = grep { !$writer_ok{$_} } keys %{ $errors{writer} // {} };
check(!@bad_w, "writers got only lock errors (1213, 1205)" . (@bad_w ? ": also @bad_w" : ''));
my @bad_r = grep { $_ != 1109 } keys %{ $errors{reader} // {} };
check(!@bad_r, "readers got only 'unknown table' (1109) while uninstalled" . (@bad_r ? ": also @bad_r" : ''));
check(($roles{writer}{ok} // 0) > 0, "the writers committed transactions");
my @deferred = grep { /^UNINSTALL SONAME -> 0\+1620/ } keys %answers;
check(@deferred, "an UNINSTALL under load was deferred with warning 1620");
# The server's answers while the audit plugin waits to be freed: 1620 (busy),
# 1193 (its variables are gone), 1305 (UNINSTALL of plugins of the library
# that are already gone, with 4173: mysql.plugin is Aria and cannot roll the
# rows back), 1125/1968 (INSTALL of plugins that are still there).
my @bad_c = grep { my ($codes) = /-> (.*)$/; grep { $_ !~ /^(0|1620|1193|1125|1968|1305|4173)$/ } split /\+/, $codes } keys %answers;
check(!@bad_c, "the controller got only the documented answers" . (@bad_c ? ": @bad_c" : ''));

# --- after the load: one UNINSTALL + INSTALL brings lockdiag back.
{
  my $c = connect_server();
  # The children's connections end when the server notices their sockets
  # closed: wait for that (polling the server's state, at most 60 s).
  my $until = time + 60;
  while (time < $until) {
    my ($others) = $c->selectrow_array(
      "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND COMMAND <> 'Daemon'");
    last if $others == 0;
    select(undef, undef, undef, 0.05);
  }
  error_of(sub { $c->do("UNINSTALL SONAME 'lockdiag'") });  # whatever part is left
  # This connection used the plugin too: a new one, once the server freed it.
  $c->disconnect;
  $c = connect_server();
  $until = time + 60;
  while (time < $until) {
    my ($pending) = $c->selectrow_array(
      "SELECT COUNT(*) FROM information_schema.PLUGINS WHERE PLUGIN_LIBRARY = 'lockdiag.so'");
    last if !$pending;
    select(undef, undef, undef, 0.05);
  }
  my $err = error_of(sub { $c->do("INSTALL SONAME 'lockdiag'") });
  my $w = $c->selectall_arrayref("SHOW WARNINGS");
  check($err == 0 && !grep({ $_->[1] == 1620 } @$w),
        "after the load, INSTALL SONAME works ($err" . join('', map { "+$_->[1]" } @$w) . ")");
  my ($active) = $c->selectrow_array(
    "SELECT COUNT(*) FROM information_schema.PLUGINS WHERE PLUGIN_NAME LIKE 'LOCKDIAG%' AND PLUGIN_STATUS = 'ACTIVE'");
  check($active == 7, "all seven plugins are ACTIVE ($active)");
  my ($max, $hist, $enabled) = $c->selectrow_array(q{SELECT @@lockdiag_max_tables, @@lockdiag_history_size, @@lockdiag_enabled});
  check($max == 10000 && $hist == 1000 && $enabled == 1, "its variables are back at their defaults ($max, $hist, $enabled)");
  $c->do("SET GLOBAL lockdiag_reset = ON");
  # A connection that ran statements while no lockdiag was installed keeps
  # the server's cached (empty) set of audit plugins until it reconnects
  # (docs/reliability.md): the check runs on a new one.
  my $fresh = connect_server();
  $fresh->do("UPDATE t1 SET n = n + 1 WHERE id = 1");
  # Read on the same connection: the server answers a statement before it
  # sends its STATUS event to the audit plugins, so another connection could
  # look before lockdiag has the transaction (the next statement of this one
  # cannot).
  my ($rows) = $fresh->selectrow_array("SELECT WRITES FROM information_schema.LOCKDIAG_TABLES WHERE TABLE_NAME = 't1'");
  my %st = map { @$_ } @{ $fresh->selectall_arrayref("SHOW GLOBAL STATUS LIKE 'Lockdiag_%'") };
  check(($rows // 0) == 1, "and it records again (t1 WRITES " . ($rows // 'none') . "; Lockdiag_active "
        . ($st{Lockdiag_active} // '?') . ", _statements " . ($st{Lockdiag_statements} // '?')
        . ", _dropped_events " . ($st{Lockdiag_dropped_events} // '?') . ", _table_lock_events " . ($st{Lockdiag_table_lock_events} // '?') . ")");
}

print $failures ? "churn: $failures check(s) failed\n" : "churn: every check passed\n";
exit($failures ? 1 : 0);
