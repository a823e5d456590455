#!/usr/bin/perl
# compare.pl: compares two partitions of the same statements, lockdiag's
# (statements with one digest) and pt-query-digest's (statements with one
# fingerprint), and fails on every difference the allow-list does not explain.
#
#   compare.pl STATEMENTS PT_FINGERPRINTS LOCKDIAG_OUTPUT ALLOW_LIST [REPORT]
#
# STATEMENTS and PT_FINGERPRINTS hold length-prefixed records (decimal byte
# count, "\n", the bytes, "\n"), record k of one belonging to record k of the
# other; LOCKDIAG_OUTPUT is lockdiag_digest_tool's output for STATEMENTS.
#
# A difference is a pair of "cells" (statements with the same digest AND the
# same fingerprint) that one tool puts together and the other keeps apart:
#   lockdiag-merges  one lockdiag digest, two pt fingerprints
#   pt-merges        one pt fingerprint, two lockdiag digests
# The allow-list explains a difference when its rules, applied to the two
# texts of the tool that keeps them apart (pt fingerprints for
# lockdiag-merges, lockdiag's normalised texts for pt-merges), make them
# equal. Each rule is one line, four TAB-separated fields:
#   NAME  SIDE (pt|lockdiag)  PERL SUBSTITUTION (s/.../.../flags)  REASON
# Rules of a side are applied in file order, all of them; a difference is
# counted under each rule it needs (without which it is not explained).
use strict;
use warnings;

my ($stmts_file, $fp_file, $ld_file, $allow_file, $report_file) = @ARGV;
die "usage: $0 STATEMENTS PT_FINGERPRINTS LOCKDIAG_OUTPUT ALLOW_LIST [REPORT]\n" unless $allow_file;

sub read_records {
  my ($path) = @_;
  open my $fh, '<:raw', $path or die "compare: $path: $!\n";
  my @out;
  while (defined(my $len = <$fh>)) {
    next if $len eq "\n";
    chomp $len;
    die "compare: $path: bad record length '$len'\n" unless $len =~ /^\d+$/;
    my $got = read($fh, my $buf, $len);
    die "compare: $path: truncated record\n" unless defined $got && $got == $len;
    push @out, $buf;
  }
  return @out;
}

my @stmt = read_records($stmts_file);
my @fp = read_records($fp_file);
my (@digest, @norm);
open my $ld, '<:raw', $ld_file or die "compare: $ld_file: $!\n";
while (my $line = <$ld>) {
  chomp $line;
  my ($d, $t) = split /\t/, $line, 2;
  die "compare: $ld_file: bad line '$line'\n" unless defined $t && $d =~ /^[0-9a-f]{16}$/;
  $t =~ s/\\(.)/$1 eq 'n' ? "\n" : $1 eq 't' ? "\t" : $1 eq 'r' ? "\r" : $1/ge;
  push @digest, $d;
  push @norm, $t;
}
close $ld;
die sprintf("compare: %d statements, %d fingerprints, %d digests\n", scalar @stmt, scalar @fp, scalar @digest)
  unless @stmt == @fp && @stmt == @digest;
die "compare: no statements\n" unless @stmt;

# The allow-list.
my @rules;
open my $al, '<:raw', $allow_file or die "compare: $allow_file: $!\n";
while (my $line = <$al>) {
  chomp $line;
  next if $line =~ /^\s*(#|$)/;
  my ($name, $side, $subst, $reason) = split /\t+/, $line, 4;
  die "compare: $allow_file:$.: want NAME<TAB>pt|lockdiag<TAB>s/.../.../<TAB>REASON\n"
    unless defined $reason && $side =~ /^(pt|lockdiag)$/ && $subst =~ /^s(.).*\1.*\1[gimsx]*$/;
  my $code = eval "sub { local \$_ = \$_[0]; $subst; return \$_ }";
  die "compare: $allow_file:$.: $@" unless $code;
  push @rules, {name => $name, side => $side, code => $code, reason => $reason, count => 0};
}
close $al;

# rewrite applies the rules of a side, but `skip`, to two texts: equal?
sub rewrite {
  my ($side, $skip, $a, $b) = @_;
  for my $r (grep { $_->{side} eq $side && $_ != ($skip // 0) } @rules) {
    ($a, $b) = ($r->{code}->($a), $r->{code}->($b));
  }
  return $a eq $b;
}
# explains returns the rules texts a and b need to be equal (each one that
# cannot be left out; if none, all that change them), or nothing.
sub explains {
  my ($side, $a, $b) = @_;
  return () unless rewrite($side, undef, $a, $b);
  my @need = grep { $_->{side} eq $side && !rewrite($side, $_, $a, $b) } @rules;
  @need = grep { $_->{side} eq $side && ($_->{code}->($a) ne $a || $_->{code}->($b) ne $b) } @rules unless @need;
  return @need;
}

my (%by_digest, %by_fp, %cell, %text_of);
for my $i (0 .. $#stmt) {
  push @{$by_digest{$digest[$i]}}, $i;
  push @{$by_fp{$fp[$i]}}, $i;
  push @{$cell{"$digest[$i]\0$fp[$i]"}}, $i;
  $text_of{$digest[$i]} //= $norm[$i];
  die "compare: digest collision: $digest[$i] is '$text_of{$digest[$i]}' and '$norm[$i]'\n"
    if $text_of{$digest[$i]} ne $norm[$i];
}
my %distinct = map { $_ => 1 } @stmt;

sub pairs { my $n = shift; return $n * ($n - 1) / 2 }
my ($both, $ld_pairs, $pt_pairs) = (0, 0, 0);
$both += pairs(scalar @$_) for values %cell;
$ld_pairs += pairs(scalar @$_) for values %by_digest;
$pt_pairs += pairs(scalar @$_) for values %by_fp;
my $same_groups = 0;
for my $c (values %cell) {
  my $i = $c->[0];
  ++$same_groups if @$c == @{$by_digest{$digest[$i]}} && @$c == @{$by_fp{$fp[$i]}};
}

my $out = '';
sub say_ { $out .= join('', @_) . "\n" }
sub short {
  my $t = shift;
  $t =~ s/\s+/ /g;
  return length($t) > 160 ? substr($t, 0, 157) . '...' : $t;
}

my (@unexplained, @allowed, %by_kind);
# Differences: pairs of cells within one group of one tool.
for my $kind ('lockdiag-merges', 'pt-merges') {
  my ($groups, $other) = $kind eq 'lockdiag-merges' ? (\%by_digest, \@fp) : (\%by_fp, \@digest);
  for my $key (sort keys %$groups) {
    my %cells;  # the other tool's key -> first statement
    $cells{$other->[$_]} //= $_ for @{$groups->{$key}};
    my @firsts = sort { $a <=> $b } values %cells;
    next if @firsts < 2;
    for my $x (0 .. $#firsts - 1) {
      for my $y ($x + 1 .. $#firsts) {
        my ($i, $j) = @firsts[$x, $y];
        my ($side, $ta, $tb) = $kind eq 'lockdiag-merges' ? ('pt', $fp[$i], $fp[$j]) : ('lockdiag', $norm[$i], $norm[$j]);
        my @used = explains($side, $ta, $tb);
        my $d = {kind => $kind, i => $i, j => $j};
        if (@used) {
          ++$_->{count} for @used;
          $d->{rules} = join(', ', map { $_->{name} } @used);
          push @allowed, $d;
        } else {
          push @unexplained, $d;
        }
        ++$by_kind{$kind};
      }
    }
  }
}

say_ sprintf('statements compared: %d (%d distinct texts)', scalar @stmt, scalar keys %distinct);
say_ sprintf('groups: lockdiag %d digests, pt-query-digest %d fingerprints; %d groups identical in both',
             scalar keys %by_digest, scalar keys %by_fp, $same_groups);
say_ sprintf('statement pairs grouped together: %d by both, %d by lockdiag only, %d by pt-query-digest only',
             $both, $ld_pairs - $both, $pt_pairs - $both);
say_ sprintf('differences (pairs of groups): %d lockdiag-merges, %d pt-merges; %d allowed, %d not allowed'
             . ' (a difference counts under each rule it needs)',
             $by_kind{'lockdiag-merges'} // 0, $by_kind{'pt-merges'} // 0,
             ($by_kind{'lockdiag-merges'} // 0) + ($by_kind{'pt-merges'} // 0) - @unexplained, scalar @unexplained);
for my $r (@rules) {
  say_ sprintf('  allowed %-30s %-8s %4d  %s', $r->{name}, $r->{side}, $r->{count}, $r->{reason});
}
sub describe {
  my ($d, $verdict) = @_;
  my ($i, $j) = @$d{qw(i j)};
  my $s = "\n$verdict: " . ($d->{kind} eq 'lockdiag-merges'
    ? 'lockdiag puts these together, pt-query-digest keeps them apart'
    : 'pt-query-digest puts these together, lockdiag keeps them apart') . "\n";
  $s .= '  statement A: ' . short($stmt[$i]) . "\n" . '  statement B: ' . short($stmt[$j]) . "\n";
  $s .= '  lockdiag A:  ' . short($norm[$i]) . "\n";
  $s .= '  lockdiag B:  ' . short($norm[$j]) . "\n" if $norm[$j] ne $norm[$i];
  $s .= '  pt A:        ' . short($fp[$i]) . "\n";
  $s .= '  pt B:        ' . short($fp[$j]) . "\n" if $fp[$j] ne $fp[$i];
  return $s;
}
$out .= describe($_, 'NOT ALLOWED') for @unexplained;
print $out;
if ($report_file) {
  open my $rf, '>:raw', $report_file or die "compare: $report_file: $!\n";
  print $rf $out;
  print $rf describe($_, "ALLOWED ($_->{rules})") for @allowed;
  # Every group of both tools, for reading: lockdiag's text, then pt's.
  print $rf "\n== every cell: N <TAB> lockdiag digest text <TAB> pt fingerprint\n";
  for my $k (sort { $norm[$cell{$a}[0]] cmp $norm[$cell{$b}[0]] } keys %cell) {
    my $i = $cell{$k}[0];
    printf $rf "%d\t%s\t%s\n", scalar @{$cell{$k}}, short($norm[$i]), short($fp[$i]);
  }
  close $rf;
}
exit(@unexplained ? 1 : 0);
