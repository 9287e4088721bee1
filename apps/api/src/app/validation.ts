import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

function messages(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => (m.startsWith(`${e.property}:`) || m.startsWith(path) ? m : `${path}: ${m}`));
    return [...own, ...messages(e.children ?? [], path)];
  });
}

/** Whitelisted, transformed input; every failure a 400 whose message names the field. */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new BadRequestException(messages(errors).join('; ')),
  });
}
