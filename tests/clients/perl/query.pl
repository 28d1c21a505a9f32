#!/usr/bin/perl
# Perl DBI + DBD::ODBC through unixODBC. Run by test_perl.py:
#   perl query.pl DSN EXPECTED.json
# EXPECTED.json (written by the test from the sandbox's JSON) holds the values
# to compare with. Prints "ok N - ..." / "not ok N - ..." lines (TAP) and exits
# non-zero when a check fails.
use strict;
use warnings;
use utf8;
use DBI;
use JSON::PP;

binmode STDOUT, ':encoding(UTF-8)';
my ($dsn, $expected_file) = @ARGV;
die "usage: query.pl DSN EXPECTED.json\n" unless $dsn && $expected_file;

my $exp = do {
    open my $fh, '<:raw', $expected_file or die "$expected_file: $!";
    local $/;
    JSON::PP->new->utf8->decode(<$fh>);
};

my ($n, $failed) = (0, 0);
sub dec { my $s = shift; $s =~ s/(\.\d*?)0+$/$1/ if $s =~ /\./; $s =~ s/\.$//; return $s }
sub check {
    my ($ok, $what, $detail) = @_;
    $n++;
    if ($ok) { print "ok $n - $what\n" }
    else { $failed++; print "not ok $n - $what" . (defined $detail ? " ($detail)" : "") . "\n" }
}

my $dbh = DBI->connect("dbi:ODBC:DSN=$dsn", undef, undef,
                       { RaiseError => 0, PrintError => 0, AutoCommit => 1, odbc_utf8_on => 1, LongReadLen => 100_000 });
check(defined $dbh, "connect by DSN", $DBI::errstr);
exit 1 unless $dbh;

# selectall_arrayref: values compared with the sandbox's JSON
my $rows = $dbh->selectall_arrayref("SELECT id, name, price, created_at, sku FROM Products WHERE id IN (1, 4, 10) ORDER BY id");
check($rows && @$rows == 3, "three products", $dbh->errstr);
for my $i (0 .. 2) {
    my ($r, $e) = ($rows->[$i], $exp->{products}[$i]);
    check($r->[0] == $e->{id}, "id $e->{id}", "got $r->[0]");
    check($r->[1] eq $e->{name}, "name of $e->{id} (Unicode)", "got '$r->[1]' want '$e->{name}'");
    # DECIMAL arrives as text: compare the decimal digits exactly (305.5000 == 305.5)
    check(defined $r->[2] && dec($r->[2]) eq dec($e->{price}), "price of $e->{id}", "got " . ($r->[2] // 'undef') . " want $e->{price}");
    check(scalar($r->[3] =~ /^\Q$e->{created_at}\E(?:\.0+)?\z/), "created_at of $e->{id}", "got $r->[3] want $e->{created_at}");
    check((defined $r->[4] ? $r->[4] : '') eq (defined $e->{sku} ? $e->{sku} : ''), "sku of $e->{id}");
}

# hashref rows and aggregates
my $h = $dbh->selectall_arrayref("SELECT status_enum, COUNT(*) AS n FROM Orders GROUP BY status_enum ORDER BY status_enum", { Slice => {} });
check($h && @$h == scalar(keys %{ $exp->{orders_by_status} }), "one row per order status", $dbh->errstr);
for my $g (@{ $h || [] }) {
    check($g->{n} == $exp->{orders_by_status}{ $g->{status_enum} }, "orders with status $g->{status_enum}",
          "got $g->{n}");
}
my ($count) = $dbh->selectrow_array("SELECT COUNT(*) FROM Orders");
check($count == $exp->{orders_count}, "COUNT(*) FROM Orders", "got " . ($count // 'undef'));

# a long text column
my ($desc) = $dbh->selectrow_array("SELECT description FROM Products WHERE id = $exp->{long_id}");
check(defined $desc && $desc eq $exp->{long_description}, "long description of $exp->{long_id}",
      "got " . length($desc // '') . " chars, want " . length($exp->{long_description}));

# prepare / execute / fetch loop
my $sth = $dbh->prepare("SELECT id FROM Customers WHERE id <= 5 ORDER BY id");
check($sth && $sth->execute, "prepare+execute", $dbh->errstr);
my @ids;
while (my $r = $sth->fetchrow_arrayref) { push @ids, $r->[0] }
check("@ids" eq "1 2 3 4 5", "customers 1..5", "got @ids");

# catalog
my $t = $dbh->table_info(undef, undef, 'Products', 'TABLE')->fetchall_arrayref({});
check(@$t == 1 && $t->[0]{TABLE_NAME} eq 'Products' && $t->[0]{TABLE_SCHEM} eq 'Jumpseller', "table_info Products");
my $cols = $dbh->column_info(undef, undef, 'Categories', undef)->fetchall_arrayref({});
check(join(',', map { $_->{COLUMN_NAME} } @$cols) eq join(',', @{ $exp->{categories_columns} }), "column_info Categories",
      join(',', map { $_->{COLUMN_NAME} } @$cols));
my @pk = $dbh->primary_key(undef, 'Jumpseller', 'ProductImages');
check("@pk" eq "product_id id", "primary_key ProductImages", "got @pk");

# errors carry the SQLSTATE
my $bad = $dbh->selectall_arrayref("SELECT * FROM NoSuchTable");
check(!defined $bad && $dbh->state eq '42S02', "unknown table is 42S02", "state " . ($dbh->state // ''));
check(scalar(($dbh->errstr // '') =~ /NoSuchTable/), "message names the table");
$bad = $dbh->selectall_arrayref("SELECT nope FROM Products");
check(!defined $bad && $dbh->state eq '42S22', "unknown column is 42S22", "state " . ($dbh->state // ''));
my ($again) = $dbh->selectrow_array("SELECT 6 * 7");
check(defined $again && $again == 42, "usable after errors");

$dbh->disconnect;

my $bad_dbh = DBI->connect("dbi:ODBC:DSN=JS_BADTOKEN", undef, undef, { RaiseError => 0, PrintError => 0 });
check(!defined $bad_dbh && $DBI::state eq '28000', "bad token is 28000", "state " . ($DBI::state // ''));

print "1..$n\n";
exit($failed ? 1 : 0);
