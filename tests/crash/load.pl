#!/usr/bin/perl
# load.pl SOCKET SECONDS WRITERS: WRITERS connections run short transactions
# on churn.t1..t4 for SECONDS or until the server goes away (the crash test
# kills it on purpose). Prints "committed N, lock errors N, gone N, other N"
# and exits 1 when a client got an error that is neither a lock error nor
# the server going away (2006, 2013, 2002).
use strict;
use warnings;
use DBI;
use POSIX ();
use Time::HiRes qw(time);

my ($sock, $seconds, $writers) = @ARGV;
die "usage: $0 SOCKET SECONDS WRITERS\n" unless $writers;
my $stop_at = time + $seconds;
my @kids;
for my $i (1 .. $writers) {
  pipe(my $r, my $w) or die "pipe: $!";
  my $pid = fork() // die "fork: $!";
  if ($pid == 0) {
    close $r;
    my ($ok, $lock, $gone, $other) = (0, 0, 0, 0);
    my $c = eval {
      DBI->connect("DBI:MariaDB:database=churn;mariadb_socket=$sock", 'root', '',
                   { RaiseError => 1, PrintError => 0, AutoCommit => 1 });
    };
    if ($c) {
      while (time < $stop_at) {
        my $id = 1 + int(rand(50));
        my ($a, $b) = $i % 2 ? (1, 2) : (2, 1);
        eval {
          $c->begin_work;
          $c->do("UPDATE t$a SET n = n + 1 WHERE id = ?", undef, $id);
          $c->do("UPDATE t$b SET n = n + 1 WHERE id = ?", undef, $id);
          $c->commit;
          $c->do("UPDATE t3 SET n = n + 1 WHERE id = ?", undef, $id);
          1;
        } and do { $ok++; next };
        my $err = $DBI::err // -1;
        if ($err == 1213 || $err == 1205) { $lock++; $c->{AutoCommit} = 1; next; }
        if ($err == 2006 || $err == 2013 || $err == 2002) { $gone++; last; }
        $other++;
        print STDERR "load: error $err: $DBI::errstr\n";
        last;
      }
    } else {
      $gone++;
    }
    print $w "$ok $lock $gone $other\n";
    close $w;
    POSIX::_exit(0);
  }
  close $w;
  push @kids, [$r, $pid];
}
my @sum = (0, 0, 0, 0);
for my $k (@kids) {
  my ($r, $pid) = @$k;
  my @v = split ' ', (<$r> // '0 0 1 0');
  waitpid($pid, 0);
  $sum[$_] += $v[$_] for 0 .. 3;
}
print "committed $sum[0], lock errors $sum[1], gone $sum[2], other $sum[3]\n";
exit($sum[3] ? 1 : 0);
