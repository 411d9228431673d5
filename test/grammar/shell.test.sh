# SYNTAX TEST "source.shell" "iptables command lines inside shell scripts"
IPT=/sbin/iptables
$IPT -A INPUT -p tcp --dport 22 -j ACCEPT
# <- support.function.iptables.shell
#    ^^ keyword.control.command.iptables
#                    ^^^^^^^ variable.parameter.option.long.iptables
#                                  ^^^^^^ keyword.control.verdict.iptables
sudo iptables -t nat -A POSTROUTING -s $LAN -o eth0 -j MASQUERADE
#^^^^^^^^^^^^ support.function.iptables.shell
#                    ^^ keyword.control.command.iptables
#                                      ^^^^ variable.other.normal.shell
iptables -A INPUT -s 10.0.0.0/8 \
#                               ^ constant.character.escape.line-continuation.shell
  -j DROP
# ^^ keyword.other.jump.iptables
#    ^^^^ keyword.control.verdict.iptables
echo -A INPUT -j DROP
#    ^^ - keyword.control.command.iptables
iptables-restore <<'EOF'
#^^^^^^^^^^^^^^^ support.function.iptables.shell
#                ^^ keyword.operator.heredoc.shell
#                   ^^^ keyword.control.heredoc-token.shell
*filter
#^^^^^^ entity.name.section.table.iptables
-A INPUT -p tcp --dport 22 -j ACCEPT
# <- keyword.control.command.iptables
#                             ^^^^^^ keyword.control.verdict.iptables
COMMIT
# <- keyword.control.commit.iptables
EOF
# <- keyword.control.heredoc-token.shell
echo -A INPUT -j DROP
#    ^^ - keyword.control.command.iptables
