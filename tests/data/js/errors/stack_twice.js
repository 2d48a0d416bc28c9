stack('twice', {});
stack('again', {});
