#!/usr/bin/perl
# workload.pl: replays the statements of lockdiag's mysql-test suites, of
# the demo and of SQL files against a running server, one DBI connection per
# source file, each statement sent verbatim as one COM_QUERY (DBD::mysql
# comes with percona-toolkit). Errors are expected (no lockdiag plugin, one
# connection where the test used several) and ignored: the server logs the
# statement all the same, and only its text matters here.
#
#   workload.pl SOCKET mtr FILE.test...     # mysqltest files
#   workload.pl SOCKET demo DEMO.sh SCHEMA.sql
#   workload.pl SOCKET sql FILE.sql...       # statements ending in ";\n"
#
# The mysqltest subset understood: the delimiter and DELIMITER, "#" comments,
# "--command" lines, let/inc/dec of $variables (a backtick value is queried),
# while/if blocks (a while runs while its variable is non-zero, at most 100
# times; an if block runs once), eval and send_eval (run, $variables
# substituted), send and query_vertical (run), $wait_condition run once at
# "--source include/wait_condition.inc".
# Every other mysqltest command (connect, connection, echo, error, reap,
# change_user, ...) is skipped; every other text up to the delimiter is SQL.
# Prints how many statements were sent per file.
use strict;
use warnings;
use DBI;

my ($socket, $mode, @files) = @ARGV;
die "usage: $0 SOCKET mtr|demo|sql FILE...\n" unless $socket && $mode && @files;

sub connect_db {
  my $dbh = DBI->connect("DBI:mysql:database=test;mysql_socket=$socket", 'root', '',
                         {RaiseError => 0, PrintError => 0, AutoCommit => 1})
    or die "workload: cannot connect: $DBI::errstr\n";
  # Nothing of the replay may hang: one connection cannot deadlock itself,
  # but a statement left over (GET_LOCK, a prepared XA) could wait.
  $dbh->do('SET SESSION max_statement_time = 20, innodb_lock_wait_timeout = 2, lock_wait_timeout = 5');
  return $dbh;
}

my $sent = 0;
sub run_sql {
  my ($dbh, $sql, $want_value) = @_;
  $sql =~ s/\A\s+//;
  $sql =~ s/\s+\z//;
  return if $sql eq '';
  ++$sent;
  # do() sends the text as it is (no placeholder parsing without bind values).
  return $dbh->do($sql) unless $want_value;
  my $row = $dbh->selectrow_arrayref($sql);
  return $row ? ($row->[0] // '') : '';
}

# --- mysqltest -------------------------------------------------------------

my $mysqltest_skip = qr/^(?:connect|connection|disconnect|reap|change_user|reset_connection|echo|source|sleep
  |real_sleep|error|disable_\w+|enable_\w+|replace_\w+|sorted_result|character_set|exit|die|skip|ping
  |vertical_results|horizontal_results|lowercase_result|result_format|send_quit|shutdown_server|exec
  |system|remove_file|file_exists|list_files|cat_file|copy_file|move_file|mkdir|rmdir|chmod|diff_files
  |save_master_pos|sync_\w+|wait_for_\w+|start_timer|end_timer|dirty_close|close_connection
  |query_attributes)\b/xi;

sub parse_mysqltest {
  my ($path) = @_;
  open my $fh, '<:raw', $path or die "workload: $path: $!\n";
  my @lines = <$fh>;
  close $fh;
  my $delim = ';';
  my @stack = ([]);  # blocks being filled; each item is [kind, ...]
  my $buf = '';
  my $skip_until;    # perl/write_file blocks end at a line "EOF"
  for my $line (@lines) {
    if (defined $skip_until) {
      undef $skip_until if $line =~ /^\s*\Q$skip_until\E\s*$/;
      next;
    }
    if ($buf eq '') {
      my $l = $line;
      $l =~ s/^\s+//;
      $l =~ s/\s+$//;
      next if $l eq '' || $l =~ /^#/;
      if ($l =~ /^--\s*(.*)$/) {
        my $cmd = $1;
        $cmd =~ s/;\s*$//;
        if ($cmd =~ /^(perl|write_file|append_file)\b\s*(\S*)\s*(\S*)/i) {
          $skip_until = $1 eq 'perl' ? ($2 || 'EOF') : ($3 || 'EOF');
        } elsif ($cmd =~ /^delimiter\s+(\S+)/i) {
          $delim = $1;
        } else {
          push @{$stack[-1]}, ['cmd', $cmd];
        }
        next;
      }
      if ($l =~ /^\}/) {
        my $block = pop @stack;
        $stack[-1][-1][2] = $block if @stack;
        @stack = ([]) unless @stack;
        next;
      }
      if ($l =~ /^(while|if)\s*\((.*)\)\s*(\{?)\s*$/i) {
        push @{$stack[-1]}, [lc $1, $2, []];
        push @stack, [];
        next;
      }
      next if $l eq '{';
    }
    $buf .= $line;
    my $trimmed = $buf;
    $trimmed =~ s/\s+\z//;
    if (substr($trimmed, -length $delim) eq $delim) {
      my $cmd = substr($trimmed, 0, length($trimmed) - length $delim);
      $buf = '';
      if ($cmd =~ /^\s*delimiter\s+(\S+)\s*$/i) {
        $delim = $1;
      } elsif ($cmd =~ /^\s*(perl|write_file|append_file)\b\s*(\S*)\s*(\S*)/i) {
        $skip_until = $1 eq 'perl' ? ($2 || 'EOF') : ($3 || 'EOF');
      } else {
        push @{$stack[-1]}, ['cmd', $cmd];
      }
    }
  }
  return $stack[0];
}

sub substitute {
  my ($text, $vars) = @_;
  $text =~ s/\$(\w+)/exists $vars->{$1} ? $vars->{$1} : $1/ge;
  return $text;
}

sub run_mysqltest {
  my ($dbh, $items, $vars) = @_;
  for my $item (@$items) {
    my ($kind, $arg, $body) = @$item;
    if ($kind eq 'while') {
      my ($var) = $arg =~ /\$(\w+)/;
      for (my $n = 0; $n < 100 && defined $var && ($vars->{$var} // 0); ++$n) {
        run_mysqltest($dbh, $body // [], $vars);
      }
      next;
    }
    if ($kind eq 'if') {
      run_mysqltest($dbh, $body // [], $vars);
      next;
    }
    my $cmd = $arg;
    $cmd =~ s/^\s+//;
    if ($cmd =~ /^let\s+\$(\w+)\s*=\s*(.*)\z/si) {
      my ($name, $value) = ($1, $2);
      if ($value =~ /^`(.*)`\s*$/s) {
        $value = run_sql($dbh, substitute($1, $vars), 1) // '';
      }
      $vars->{$name} = $value;
    } elsif ($cmd =~ /^(inc|dec)\s+\$(\w+)\s*$/i) {
      $vars->{$2} = ($vars->{$2} // 0) + (lc $1 eq 'inc' ? 1 : -1);
    } elsif ($cmd =~ /^(send_eval|eval|send|query_vertical|query_horizontal|query)\s+(.*)\z/si) {
      my ($verb, $sql) = ($1, $2);
      run_sql($dbh, $verb =~ /eval/i ? substitute($sql, $vars) : $sql);
    } elsif ($cmd =~ /^source\s+\S*wait_condition\.inc/i) {
      run_sql($dbh, $vars->{wait_condition}) if defined $vars->{wait_condition};
    } elsif ($cmd =~ $mysqltest_skip) {
      next;
    } else {
      run_sql($dbh, $cmd);
    }
  }
}

# --- the demo --------------------------------------------------------------

# The statements of scripts/demo.sh: the double-quoted strings that follow
# `echo` or `-e` and hold SQL, as the demo's clients send them ($i as the
# demo's loops set it, 1 to 15).
sub demo_statements {
  my ($demo, $schema) = @_;
  local $/;
  open my $fh, '<:raw', $schema or die "workload: $schema: $!\n";
  my $text = <$fh>;
  close $fh;
  my @stmts = split /;[ \t]*\n/, $text;
  open $fh, '<:raw', $demo or die "workload: $demo: $!\n";
  $text = <$fh>;
  close $fh;
  while ($text =~ /(?:\becho|\s-e)\s+"((?:[^"\\]|\\.)*)"/gs) {
    my $body = $1;
    $body =~ s/\\([`"\$\\])/$1/g;
    next if $body =~ /\$\(/;
    my @bodies = $body =~ /\$i\b/ ? map { my $b = $body; $b =~ s/\$i\b/$_/g; $b } 1 .. 15 : ($body);
    for my $b (@bodies) {
      for my $s (split /;[ \t]*(?:\n|\z)/, $b) {
        push @stmts, $s
          if $s =~ /^\s*(?:BEGIN|COMMIT|SELECT|INSERT|UPDATE|DELETE|SET|SHOW|USE|CREATE|DROP|INSTALL|UNINSTALL)\b/i;
      }
    }
  }
  return @stmts;
}

if ($mode eq 'mtr') {
  for my $file (@files) {
    my $before = $sent;
    my $dbh = connect_db();
    run_mysqltest($dbh, parse_mysqltest($file), {});
    $dbh->disconnect;
    printf "workload: %-28s %4d statements\n", ($file =~ m{([^/]+)$})[0], $sent - $before;
  }
} elsif ($mode eq 'demo') {
  my $dbh = connect_db();
  run_sql($dbh, $_) for demo_statements(@files);
  $dbh->disconnect;
  printf "workload: %-28s %4d statements\n", 'demo.sh + schema.sql', $sent;
} elsif ($mode eq 'sql') {
  # Statements end with ";" at the end of a line; the comment lines before
  # a statement document it and are not sent.
  for my $file (@files) {
    my $before = $sent;
    open my $fh, '<:raw', $file or die "workload: $file: $!\n";
    my $text = do { local $/; <$fh> };
    close $fh;
    my $dbh = connect_db();
    for my $s (split /;[ \t]*\n/, $text) {
      $s =~ s/\A(?:[ \t]*(?:--[^\n]*)?\n)+//;
      run_sql($dbh, $s);
    }
    $dbh->disconnect;
    printf "workload: %-28s %4d statements\n", ($file =~ m{([^/]+)$})[0], $sent - $before;
  }
} else {
  die "workload: unknown mode $mode\n";
}
