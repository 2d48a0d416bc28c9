stack('sm', {});
const pw = secret('db.missing');
