# The minikube node image's root filesystem, on the bookworm minbase
# (test/images/standins.sh): what minikube's deploy/kicbase/Dockerfile puts
# in kicbase that the containerd runtime needs, from Debian's packages. Its
# downloads (docker-ce, cri-dockerd, crictl, CNI plugins) are unreachable:
# containerd and crictl are copied in by node-image.sh, runc and the CNI
# plugins are Debian's.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
  systemd systemd-sysv dbus \
  conntrack iptables iproute2 ethtool socat util-linux mount ebtables kmod \
  libseccomp2 pigz bash ca-certificates curl rsync procps \
  iputils-ping netcat-openbsd lz4 sudo openssh-server \
  runc containernetworking-plugins
apt-get clean
rm -rf /var/lib/apt/lists/*
# minikube checks this file to pick iptables-legacy or -nft.
test -e /var/lib/dpkg/alternatives/iptables
# kicbase's systemd trimming: no units that make no sense in a container.
find /lib/systemd/system/sysinit.target.wants/ -name systemd-tmpfiles-setup.service -delete
rm -f /lib/systemd/system/multi-user.target.wants/* /etc/systemd/system/*.wants/* \
  /lib/systemd/system/local-fs.target.wants/* /lib/systemd/system/sockets.target.wants/*udev* \
  /lib/systemd/system/sockets.target.wants/*initctl* /lib/systemd/system/basic.target.wants/*
echo ReadKMsg=no >>/etc/systemd/journald.conf
systemctl mask systemd-binfmt.service
# minikube relies on /etc/hosts for control-plane discovery.
sed -i -r 's#^(hosts:\s*).*#\1files dns#' /etc/nsswitch.conf
mkdir -p /etc/kubernetes/manifests /kind /etc/containerd /etc/cni/net.d
# minikube's containerd config names /opt/cni/bin; Debian's plugins are in /usr/lib/cni.
mkdir -p /opt/cni && ln -s /usr/lib/cni /opt/cni/bin
chmod +x /usr/local/bin/entrypoint /usr/local/sbin/containerd-restrict-oom /usr/bin/containerd /usr/bin/containerd-shim-runc-v2 /usr/bin/ctr /usr/local/bin/crictl
systemctl enable ssh.service
# containerd stays disabled: minikube enables the runtime it was asked for.
cat >>/etc/ssh/sshd_config <<'SSHD'
PubkeyAuthentication yes
PasswordAuthentication no
SSHD
# The account `minikube ssh` logs in as, with password-less sudo.
groupadd -f docker
useradd -m -s /bin/bash -g docker -G sudo docker
usermod -p '*' docker && passwd -u docker && passwd -d docker
echo '%sudo ALL=(ALL) NOPASSWD:ALL' >/etc/sudoers.d/20-passwordless-sudo
chmod 0440 /etc/sudoers.d/20-passwordless-sudo
install -d -o docker -g docker /home/docker/.ssh
rm -rf /usr/share/doc/* /usr/share/man/*
